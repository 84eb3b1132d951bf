"""The dashboard's figures: counts by status, verdict, commune and legal form, drafts per day, failed criteria."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Draft, utcnow
from bot.web.staff.formatting import PARIS, to_paris

DAYS = 30


def counts_by(session: Session, column: Any) -> list[tuple[str | None, int]]:
    """(value, number of drafts), the most frequent first; None counts the drafts without a value."""
    count = func.count(Draft.id)
    rows = session.execute(select(column, count).group_by(column).order_by(count.desc(), column))
    return [(value, number) for value, number in rows]


def per_day(session: Session, days: int = DAYS, now: datetime | None = None) -> list[tuple[date, int]]:
    """Drafts created on each of the last ``days`` days (Paris time), today included, zeros kept."""
    today = to_paris(now or utcnow()).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=PARIS)
    created = session.scalars(select(Draft.created_at).where(Draft.created_at >= since)).all()
    counter = Counter(to_paris(when).date() for when in created)
    return [(first + timedelta(days=i), counter.get(first + timedelta(days=i), 0)) for i in range(days)]


@dataclass(frozen=True)
class FailReason:
    criterion: str
    message: str
    count: int


def fail_reasons(session: Session, limit: int = 10) -> list[FailReason]:
    """The most frequent "fail" reasons found in the drafts' ``verdict_reasons`` (criterion and message)."""
    counter: Counter = Counter()
    rows = session.execute(select(Draft.verdict_reasons).execution_options(yield_per=500))
    for (reasons,) in rows:
        for reason in reasons if isinstance(reasons, list) else []:
            if isinstance(reason, dict) and reason.get("status") == "fail":
                counter[(str(reason.get("criterion") or ""), str(reason.get("message") or ""))] += 1
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [FailReason(criterion, message, count) for (criterion, message), count in ranked]


def total(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Draft)) or 0
