"""The privacy purges, and the daily schedule that runs them inside the web app.

What is deleted (durations from ``bot/call/call.yml``, section ``privacy``):

- a draft not modified for ``retention_days`` days, with everything hanging on it and every conversation
  linked to it (the one that created it and those that resumed it);
- a conversation (Rasa ``events`` rows) linked to no draft whose last message is older than
  ``conversation_days`` days. A conversation linked to a draft that is kept is kept with it.

When: :class:`PurgeScheduler` is a daemon thread started by the web app (``python -m bot web``, through
:func:`init_app` in the app factory). It purges once at start, then every 24 hours. Several processes (or
machines) sharing the database purge once between them: the purge first claims a lease row in the database
(``rate_limit_counters``, key :data:`LEASE_KEY`, valid 24 hours), in the same transaction as the deletions,
so a failed purge releases it. The others find the lease held and try again at their next check (every
hour). The clock is injectable, so tests can freeze and move time.

Every purge is logged (``ess.security.purge``, written to the security log) with counts only: no reference,
no conversation id, no personal data. ``python -m bot drafts purge`` runs the same purge by hand.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.deletion import purge_conversations_older_than, purge_older_than
from bot.db.security_models import RateLimitCounter
from bot.db.session import session_scope
from bot.settings import get_settings

logger = logging.getLogger("ess.security.purge")

Clock = Callable[[], datetime]
LEASE_KEY = "privacy-purge:daily"
INTERVAL = timedelta(hours=24)
CHECK_EVERY = timedelta(hours=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class PurgeReport:
    at: datetime
    drafts: int
    conversations: int
    retention_days: int
    conversation_days: int

    def log_line(self) -> str:
        return (f"Purge des données : {self.drafts} pré-candidature(s) non modifiée(s) depuis plus de "
                f"{self.retention_days} jours et {self.conversations} conversation(s) sans pré-candidature ni "
                f"message depuis plus de {self.conversation_days} jours supprimées.")


def _durations(retention_days: int | None, conversation_days: int | None) -> tuple[int, int]:
    if retention_days is None or conversation_days is None:
        from bot.call.facts import get_call

        privacy = get_call().privacy
        retention_days = privacy.retention_days if retention_days is None else retention_days
        conversation_days = privacy.conversation_days if conversation_days is None else conversation_days
    return retention_days, conversation_days


def claim_lease(session: Session, now: datetime, valid_for: timedelta = INTERVAL) -> bool:
    """Take the purge lease until ``now + valid_for`` unless another purge holds it; True when taken.

    One ``INSERT … ON CONFLICT DO UPDATE … WHERE expires_at <= now``: atomic on SQLite (transactions are
    ``BEGIN IMMEDIATE``) and on PostgreSQL (the row stays locked until the transaction ends).
    """
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    until = now + valid_for
    if insert is None:  # another database: a plain update, then an insert of the first row
        taken = session.execute(update(RateLimitCounter)
                                .where(RateLimitCounter.key == LEASE_KEY, RateLimitCounter.expires_at <= now)
                                .values(count=RateLimitCounter.count + 1, expires_at=until)
                                .execution_options(synchronize_session=False)).rowcount
        if taken:
            return True
        if session.get(RateLimitCounter, LEASE_KEY) is not None:
            return False
        session.add(RateLimitCounter(key=LEASE_KEY, count=1, expires_at=until))
        session.flush()
        return True
    statement = insert(RateLimitCounter).values(key=LEASE_KEY, count=1, expires_at=until)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"count": RateLimitCounter.count + 1, "expires_at": until},
        where=RateLimitCounter.expires_at <= now)
    return session.execute(statement).rowcount == 1


def run_purge(url: str | None = None, now: datetime | None = None, *, retention_days: int | None = None,
              conversation_days: int | None = None, lease: timedelta | None = None) -> PurgeReport | None:
    """Delete what the privacy durations say (defaults: ``bot/call/call.yml``); return the counts.

    With ``lease``, first claim the daily lease for that long; return None (nothing done) when another process
    holds it. Everything happens in one transaction. Database errors propagate.
    """
    now = now or utc_now()
    retention_days, conversation_days = _durations(retention_days, conversation_days)
    with session_scope(url) as session:
        if lease is not None and not claim_lease(session, now, lease):
            return None
        drafts = purge_older_than(session, retention_days, now=now)
        conversations = purge_conversations_older_than(session, conversation_days, now=now)
    return PurgeReport(at=now, drafts=drafts, conversations=conversations, retention_days=retention_days,
                       conversation_days=conversation_days)


class PurgeScheduler:
    """Runs :func:`run_purge` at start, then again once ``interval`` has passed on ``clock``.

    :meth:`tick` does one check (tests call it with a frozen clock); :meth:`start` runs it in a daemon thread,
    every ``check_every`` of real time.
    """

    def __init__(self, url: str | None = None, clock: Clock = utc_now, interval: timedelta = INTERVAL,
                 check_every: timedelta = CHECK_EVERY, purge: Callable[..., PurgeReport | None] = run_purge):
        self.url = url
        self.clock = clock
        self.interval = interval
        self.check_every = check_every
        self.purge = purge
        self.next_due: datetime | None = None  # None: at the first check
        self.last_report: PurgeReport | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> PurgeReport | None:
        """Purge if due and if no other process purged in the last ``interval``; return the report, if any."""
        now = self.clock()
        if self.next_due is not None and now < self.next_due:
            return None
        try:
            report = self.purge(self.url, now, lease=self.interval)
        except Exception as exc:  # noqa: BLE001 - the site keeps running; the next check tries again
            logger.warning("Purge des données impossible (%s) : nouvel essai dans %s minutes.", type(exc).__name__,
                           int(self.check_every.total_seconds() // 60))
            self.next_due = now + self.check_every
            return None
        if report is None:  # another process purged less than `interval` ago: check again later
            self.next_due = now + self.check_every
            return None
        self.next_due = now + self.interval
        self.last_report = report
        logger.info(report.log_line())
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.check_every.total_seconds())

    def start(self) -> PurgeScheduler:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="privacy-purge", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


_started: dict[tuple[int, str | None], PurgeScheduler] = {}  # (process id, database url) -> the scheduler of this process
_started_lock = threading.Lock()


def start_scheduler(url: str | None = None, clock: Clock = utc_now) -> PurgeScheduler:
    """The purge scheduler of this process for ``url``, started once (again in a forked child)."""
    key = (os.getpid(), url)
    with _started_lock:
        scheduler = _started.get(key)
        if scheduler is None:
            scheduler = _started[key] = PurgeScheduler(url=url, clock=clock)
        return scheduler.start()


def init_app(app: Any) -> PurgeScheduler | None:
    """Start the daily purge for the app's database, unless testing or ``PURGE_SCHEDULE`` is off.

    ``PURGE_SCHEDULE`` is off with 0, false, non, no or off: then run ``python -m bot drafts purge`` daily.
    """
    if app.testing or not app.config.get("PURGE_SCHEDULE", get_settings().purge_schedule):
        return None
    return start_scheduler(app.config.get("DATABASE_URL"))
