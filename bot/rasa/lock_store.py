"""Rasa lock store adapter: Rasa's Redis ticket lock, made atomic, in three Redis calls per message.

Rasa serves the messages of one conversation one after the other with a ticket lock. Rasa 3.6's
``RedisLockStore`` keeps each conversation's lock as one JSON value that it reads, changes in Python and writes
back: about eight Redis round trips per message, each blocking Rasa's event loop, and two workers that issue a
ticket for the same conversation at the same moment can overwrite each other's ticket.

This store keeps the same semantics (tickets served in order of issue; a ticket expires after its lifetime, so
a worker that died does not block the conversation for ever; a message whose ticket expired gets Rasa's
``LockError``) with one Lua script per step, each atomic in Redis (Redis 5 or newer), and one change: the ticket
of a message that is still waiting or being served does not expire (Rasa's expired with the abandoned one when
nginx sent the message again within the same second, and that message then waited until the site gave up):

- issuing a ticket: the conversation's counter is incremented, the ticket added with its expiry (Redis's clock);
- acquiring: expired tickets dropped, the caller's expiry pushed back, the ticket served when it is the lowest
  one left (checked again every ``wait_time_in_seconds``, as Rasa does); while served, pushed back every third
  of its lifetime;
- cleanup: the ticket removed, and both keys deleted when no ticket is left.

Declared in the endpoints file (:mod:`bot.rasa.endpoints`) when ``REDIS_URL`` is set; being a
``RedisLockStore``, it lets Rasa start several workers.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# KEYS: tickets (sorted set, score: ticket number), expiries (sorted set, score: expiry time), and for ISSUE the
# store's counter. Time is Redis's clock, the same for every worker and host. keep(): both keys outlive the
# lifetime of their newest ticket by a minute (Redis deletes them if every worker died).
_DROP_EXPIRED = """
local function keep(lifetime)
  local ttl = math.ceil(tonumber(lifetime) * 1000) + 60000
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, ticket in ipairs(expired) do redis.call('ZREM', KEYS[1], ticket) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
"""
# ARGV: lifetime (seconds). Returns the new ticket: the counter is shared by every conversation and never reset,
# so a late cleanup of an expired ticket can never remove a newer one.
ISSUE = _DROP_EXPIRED + """
local ticket = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], ticket, ticket)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ticket)
keep(ARGV[1])
return ticket
"""
# ARGV: the caller's ticket, lifetime. The caller is alive: its ticket's expiry is pushed back (only if the
# ticket is still there). Returns the lowest ticket still valid, or false when none is left.
SERVING = _DROP_EXPIRED + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  keep(ARGV[2])
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if #first == 0 then return false end
return tonumber(first[1])
"""
# ARGV: ticket. The ticket removed; the conversation's keys deleted when no ticket is left.
FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # as Rasa builds a custom lock store from the endpoints file
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE)
        self._serving = self.red.register_script(SERVING)
        self._finish = self.red.register_script(FINISH)

    def _keys(self, conversation_id: str) -> list[str]:
        return [f"{self.key_prefix}{conversation_id}:{name}" for name in ("tickets", "expiries")]

    @property
    def counter_key(self) -> str:
        """The ticket counter shared by every conversation (a conversation's keys always end with a suffix)."""
        return f"{self.key_prefix}counter"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=[*self._keys(conversation_id), self.counter_key], args=[lock_lifetime]))
        except Exception as exc:  # as Rasa: any Redis error becomes a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def now_serving(self, conversation_id: str, ticket: int = 0, lock_lifetime: float = LOCK_LIFETIME) -> int | None:
        """The ticket served now for this conversation, None when no valid ticket is left; ``ticket``, when it is
        still there, gets ``lock_lifetime`` more seconds (its holder or waiter is alive).
        """
        serving = self._serving(keys=self._keys(conversation_id), args=[ticket, lock_lifetime])
        return None if serving is None else int(serving)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ``lock``, except that a live waiter or holder keeps its ticket: while the message waits, each
        check pushes its expiry back, and while it is served a task does so every third of the lifetime. Only
        the ticket of a worker that died expires.
        """
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        renewing: asyncio.Task | None = None
        try:
            acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds, lock_lifetime)
            renewing = asyncio.create_task(self._renew(conversation_id, ticket, lock_lifetime))
            yield acquired
        finally:
            if renewing is not None:
                renewing.cancel()
            self.cleanup(conversation_id, ticket)

    async def _renew(self, conversation_id: str, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(max(lock_lifetime / 3, 0.01))
            try:
                self.now_serving(conversation_id, ticket, lock_lifetime)
            except Exception:  # Redis unreachable: the ticket may expire, as with Rasa's own lock
                logger.warning("Verrou de la conversation non prolongé (Redis injoignable).")

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float,
                            lock_lifetime: float = LOCK_LIFETIME) -> TicketLock:
        while True:
            serving = self.now_serving(conversation_id, ticket, lock_lifetime)
            if serving is None or serving > ticket:  # this ticket expired
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if serving == ticket:
                return TicketLock(conversation_id)
            await asyncio.sleep(wait_time_in_seconds)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._finish(keys=self._keys(conversation_id), args=[ticket_number])

    # Rasa's JSON lock is not used by this store: its other readers see no lock.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return self.now_serving(conversation_id, 0) is not None

    def delete_lock(self, conversation_id: str) -> None:
        self.red.delete(*self._keys(conversation_id))
