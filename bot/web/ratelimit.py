"""A small rate limiter (sliding window) with two stores, and an in-process concurrency guard.

Flask-Limiter is not usable here (its ``limits`` dependency needs a newer ``packaging`` than Rasa 3.6 allows).

Counting: a window of ``window`` seconds is numbered ``int(now // window)``; each key counts its hits in the
current and the previous window, and the estimate ``previous × (share of the previous window still inside the
last `window` seconds) + current`` is compared with the limit (the "sliding window counter" of Cloudflare and
others: smooth at window boundaries, two numbers per key). Refused hits count too, so a client that keeps
hammering stays refused. ``Retry-After`` is the time until the estimate drops enough for one more hit.

Stores: the database (:class:`DatabaseLimiter`, table ``rate_limit_counters``, works on SQLite and
PostgreSQL and across processes), or Redis when ``REDIS_URL`` is set (:class:`RedisLimiter`, for several
workers or hosts). If the store fails, the hit is allowed and a warning is logged: the chat stays usable.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.db.security_models import RateLimitCounter
from bot.db.session import DatabaseUnavailable, session_scope

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)
Clock = Callable[[], float]


class Decision(NamedTuple):
    allowed: bool
    retry_after: int  # seconds, at least 1 when refused; 0 when allowed


def decide(previous: int, current: int, limit: int, window: int, elapsed: float) -> Decision:
    """Whether the hit just counted in ``current`` is allowed, and if not, in how many seconds one would be."""
    estimate = previous * (1 - elapsed / window) + current
    if estimate <= limit:
        return Decision(True, 0)
    target = limit - 1  # what the estimate must drop to, for the next hit to fit
    if current <= target:  # the previous window's share fades away during this window
        wait = window * (1 - (target - current) / previous) - elapsed
    else:  # wait for this window to end, then for its share to fade enough
        wait = (window - elapsed) + window * (1 - target / current)
    return Decision(False, max(1, math.ceil(wait)))


class Limiter:
    """``hit(scope, identity, limit, window)`` counts one hit and decides; subclasses provide the counts."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock

    def hit(self, scope: str, identity: str, limit: int, window: int) -> Decision:
        if limit <= 0:  # 0 turns the limit off
            return Decision(True, 0)
        now = self.clock()
        index = int(now // window)
        base = f"{scope}:{identity[:120]}:{window}:"
        try:
            previous, current = self._count(base + str(index), base + str(index - 1), now, window)
        except Exception as exc:  # noqa: BLE001 (any store failure: let the message through)
            logger.warning("Limiteur de débit indisponible (%s), message accepté : %s", type(self).__name__, exc)
            return Decision(True, 0)
        return decide(previous, current, limit, window, now - index * window)

    def _count(self, key: str, previous_key: str, now: float, window: int) -> tuple[int, int]:
        """Add one to ``key``; return (count of ``previous_key``, count of ``key``)."""
        raise NotImplementedError


class DatabaseLimiter(Limiter):
    """Counters in the ``rate_limit_counters`` table of ``url`` (None: the default database)."""

    def __init__(self, url: str | None = None, clock: Clock = time.time) -> None:
        super().__init__(clock)
        self.url = url

    def _count(self, key: str, previous_key: str, now: float, window: int) -> tuple[int, int]:
        moment = datetime.fromtimestamp(now, timezone.utc)
        increment = (update(RateLimitCounter).where(RateLimitCounter.key == key)
                     .values(count=RateLimitCounter.count + 1).execution_options(synchronize_session=False))
        try:
            with session_scope(self.url) as session:
                if session.execute(increment).rowcount == 0:
                    # A new key for this window: a good moment to forget the expired ones.
                    session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < moment))
                    try:
                        with session.begin_nested():
                            session.add(RateLimitCounter(key=key, count=1,
                                                         expires_at=moment + timedelta(seconds=2 * window)))
                    except IntegrityError:  # inserted by a concurrent request meanwhile
                        session.execute(increment)
                rows = dict(session.execute(select(RateLimitCounter.key, RateLimitCounter.count)
                                            .where(RateLimitCounter.key.in_((key, previous_key)))).all())
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        return rows.get(previous_key, 0), rows.get(key, 0)


class RedisLimiter(Limiter):
    """Counters in Redis (``INCR`` with an expiry of two windows); keys prefixed with ``ess:ratelimit:``."""

    PREFIX = "ess:ratelimit:"

    def __init__(self, client: Redis, clock: Clock = time.time) -> None:
        super().__init__(clock)
        self.client = client

    @classmethod
    def from_url(cls, url: str, clock: Clock = time.time) -> RedisLimiter:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2), clock)

    def _count(self, key: str, previous_key: str, now: float, window: int) -> tuple[int, int]:
        pipe = self.client.pipeline()
        pipe.incr(self.PREFIX + key)
        pipe.expire(self.PREFIX + key, 2 * window)
        pipe.get(self.PREFIX + previous_key)
        current, _, previous = pipe.execute()
        return int(previous or 0), int(current)


class MemoryLimiter(Limiter):
    """Counters in this process's memory (tests, or a single process without a database)."""

    def __init__(self, clock: Clock = time.time) -> None:
        super().__init__(clock)
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _count(self, key: str, previous_key: str, now: float, window: int) -> tuple[int, int]:
        with self._lock:
            if len(self._counts) > 10_000:  # forget the expired keys now and then
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            current = self._counts.get(key, (0, 0.0))[0] + 1
            self._counts[key] = (current, now + 2 * window)
            return self._counts.get(previous_key, (0, 0.0))[0], current


def make_limiter(redis_url: str | None, database_url: str | None, clock: Clock = time.time) -> Limiter:
    if redis_url:
        return RedisLimiter.from_url(redis_url, clock)
    return DatabaseLimiter(database_url, clock)


class ConcurrencyGuard:
    """At most ``per_address`` requests in progress per client address and ``total`` in all, in this process.

    ``with guard.enter(address) as refusal:`` gives None when the request may go on, else ``"address"`` or
    ``"total"``. It protects the server's threads (waitress serves with a fixed number of them).
    """

    def __init__(self, per_address: int, total: int) -> None:
        self.per_address = per_address
        self.total = total
        self._lock = threading.Lock()
        self._by_address: dict[str, int] = {}
        self._all = 0

    def in_progress(self, address: str | None = None) -> int:
        with self._lock:
            return self._by_address.get(address, 0) if address is not None else self._all

    @contextmanager
    def enter(self, address: str) -> Iterator[str | None]:
        with self._lock:
            if self.per_address > 0 and self._by_address.get(address, 0) >= self.per_address:
                refusal: str | None = "address"
            elif self.total > 0 and self._all >= self.total:
                refusal = "total"
            else:
                refusal = None
                self._by_address[address] = self._by_address.get(address, 0) + 1
                self._all += 1
        try:
            yield refusal
        finally:
            if refusal is None:
                with self._lock:
                    self._all -= 1
                    left = self._by_address[address] - 1
                    if left:
                        self._by_address[address] = left
                    else:
                        del self._by_address[address]
