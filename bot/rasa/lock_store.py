"""Rasa lock store adapter: Rasa's Redis ticket lock, made atomic, in three Redis calls per message.

Rasa serves the messages of one conversation one after the other with a ticket lock. Rasa 3.6's
``RedisLockStore`` keeps each conversation's lock as one JSON value that it reads, changes in Python and writes
back: about eight Redis round trips per message, each blocking Rasa's event loop, and two workers that issue a
ticket for the same conversation at the same moment can overwrite each other's ticket.

This store keeps the same semantics (tickets served in order of issue; a ticket expires after its lifetime, so
a worker that died does not block the conversation for ever; a message whose ticket expired gets Rasa's
``LockError``) with one Lua script per step, each atomic in Redis:

- issuing a ticket: the conversation's counter is incremented, the ticket added with its expiry (Redis's clock);
- acquiring: expired tickets dropped, the ticket served when it is the lowest one left (checked again every
  ``wait_time_in_seconds``, as Rasa does);
- cleanup: the ticket removed, and both keys deleted when no ticket is left.

Declared in the endpoints file (:mod:`bot.rasa.endpoints`) when ``REDIS_URL`` is set; being a
``RedisLockStore``, it lets Rasa start several workers.
"""
from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# Every script: KEYS = tickets (sorted set, score: ticket number), expiries (sorted set, score: expiry time),
# counter. Time is Redis's clock, the same for every worker and host.
_DROP_EXPIRED = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, ticket in ipairs(expired) do redis.call('ZREM', KEYS[1], ticket) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
"""
# ARGV: lifetime (seconds). Returns the new ticket.
ISSUE = _DROP_EXPIRED + """
local ticket = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], ticket, ticket)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ticket)
local ttl = math.ceil(tonumber(ARGV[1]) * 1000) + 60000
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
return ticket
"""
# Returns the lowest ticket still valid, or false when none is left.
SERVING = _DROP_EXPIRED + """
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if #first == 0 then return false end
return tonumber(first[1])
"""
# ARGV: ticket. The ticket removed; every key deleted when no ticket is left.
FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
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
        return [f"{self.key_prefix}{conversation_id}:{name}" for name in ("tickets", "expiries", "counter")]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=self._keys(conversation_id), args=[lock_lifetime]))
        except Exception as exc:  # as Rasa: any Redis error becomes a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def now_serving(self, conversation_id: str) -> int | None:
        """The ticket served now for this conversation, None when no valid ticket is left."""
        serving = self._serving(keys=self._keys(conversation_id))
        return None if serving is None else int(serving)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            serving = self.now_serving(conversation_id)
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
        return self.now_serving(conversation_id) is not None

    def delete_lock(self, conversation_id: str) -> None:
        self.red.delete(*self._keys(conversation_id))
