"""The drafts list: filters and search from the query string, whitelisted sorting, LIMIT/OFFSET pages."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.db.models import DRAFT_STATUSES, Draft, DraftStatus, one_of
from bot.eligibility.verdict import VERDICT_STATUSES
from bot.forms.fields import LEGAL_FORM_LABELS
from bot.web.staff.formatting import PARIS

PAGE_SIZE = 50
NO_VERDICT = "none"
SORTS = {
    "reference": Draft.reference, "org_name": Draft.org_name, "commune": Draft.commune,
    "legal_form": Draft.legal_form, "amount": Draft.amount, "verdict": Draft.verdict, "status": Draft.status,
    "updated_at": Draft.updated_at, "created_at": Draft.created_at,
}
SEARCHED = (Draft.reference, Draft.org_name, Draft.contact_name, Draft.email, Draft.project_title)
DATE_FIELDS = {"updated": Draft.updated_at, "created": Draft.created_at}
_LIKE_ESCAPE = "/"


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` taken literally (escape character ``/``)."""
    for char in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, _LIKE_ESCAPE + char)
    return f"%{text}%"


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    """Midnight in Paris, the staff's day boundary."""
    return datetime.combine(day, time.min, tzinfo=PARIS)


@dataclass(frozen=True)
class DraftFilters:
    status: DraftStatus | Literal[""] = ""
    verdict: str = ""
    commune: str = ""
    legal_form: str = ""
    date_field: str = "updated"
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    sort: str = "updated_at"
    order: str = "desc"
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> DraftFilters:
        """The filters from the query string; values that are not allowed are dropped, with a French notice."""
        def get(name: str) -> str:
            return (args.get(name) or "").strip()[:200]

        problems: list[str] = []
        asked, verdict, legal_form = get("status"), get("verdict"), get("legal_form")
        status = one_of(asked, DRAFT_STATUSES) or ""
        if asked and not status:
            problems.append(f"Statut inconnu ignoré : « {asked} ».")
        if verdict and one_of(verdict, VERDICT_STATUSES) is None and verdict != NO_VERDICT:
            problems.append(f"Verdict inconnu ignoré : « {verdict} ».")
            verdict = ""
        if legal_form and legal_form not in LEGAL_FORM_LABELS:
            problems.append(f"Forme juridique inconnue ignorée : « {legal_form} ».")
            legal_form = ""
        dates = {}
        for name in ("date_from", "date_to"):
            dates[name] = get(name)
            if dates[name] and _parse_date(dates[name]) is None:
                problems.append(f"Date invalide ignorée : « {dates[name]} » (format attendu : AAAA-MM-JJ).")
                dates[name] = ""
        sort = get("sort") if get("sort") in SORTS else "updated_at"
        order = "asc" if get("order") == "asc" else "desc"
        try:
            page = max(1, int(get("page") or 1))
        except ValueError:
            page = 1
        return cls(status=status, verdict=verdict, commune=get("commune"), legal_form=legal_form,
                   date_field=get("date_field") if get("date_field") in DATE_FIELDS else "updated",
                   q=get("q"), sort=sort, order=order, page=page, problems=tuple(problems), **dates)

    def conditions(self) -> list[Any]:
        conditions: list[Any] = []
        if self.status:
            conditions.append(Draft.status == self.status)
        if self.verdict == NO_VERDICT:
            conditions.append(Draft.verdict.is_(None))
        elif self.verdict:
            conditions.append(Draft.verdict == self.verdict)
        if self.commune:
            conditions.append(Draft.commune == self.commune)
        if self.legal_form:
            conditions.append(Draft.legal_form == self.legal_form)
        column = DATE_FIELDS[self.date_field]
        start, end = _parse_date(self.date_from), _parse_date(self.date_to)
        if start:
            conditions.append(column >= _start_of(start))
        if end:
            conditions.append(column < _start_of(end + timedelta(days=1)))
        if self.q:
            pattern = like_pattern(self.q)
            conditions.append(or_(*(col.ilike(pattern, escape=_LIKE_ESCAPE) for col in SEARCHED)))
        return conditions

    def order_by(self) -> list[Any]:
        column = SORTS[self.sort]
        if self.order == "asc":
            return [column.asc().nulls_last(), Draft.id.asc()]
        return [column.desc().nulls_last(), Draft.id.desc()]

    @property
    def active(self) -> bool:
        """Whether anything narrows the list."""
        return bool(self.status or self.verdict or self.commune or self.legal_form or self.date_from
                    or self.date_to or self.q)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query-string parameters (defaults left out), with ``changes``: for links and exports."""
        current = replace(self, **changes)
        defaults = DraftFilters()
        names = ("status", "verdict", "commune", "legal_form", "date_field", "date_from", "date_to", "q", "sort",
                 "order", "page")
        return {name: getattr(current, name) for name in names if getattr(current, name) != getattr(defaults, name)}

    def sort_args(self, column: str) -> dict[str, Any]:
        """Sort by ``column``: ascending first, descending when already sorted ascending by it; back to page 1."""
        order = "desc" if self.sort == column and self.order == "asc" else "asc"
        return self.args(sort=column, order=order, page=1)


def select_drafts(filters: DraftFilters) -> Select:
    """Every matching draft, sorted (no pagination): for exports."""
    return select(Draft).where(*filters.conditions()).order_by(*filters.order_by())


@dataclass
class Page:
    drafts: list[Draft]
    total: int
    number: int
    count: int

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * PAGE_SIZE, self.total)

    def window(self, around: int = 3) -> list[int]:
        """The page numbers to link: first, last and a few around the current one."""
        numbers = {1, self.count, *range(self.number - around, self.number + around + 1)}
        return sorted(n for n in numbers if 1 <= n <= self.count)


def search_page(session: Session, filters: DraftFilters) -> Page:
    """One page of the matching drafts (LIMIT/OFFSET) and how many match; a page past the end shows the last."""
    conditions = filters.conditions()
    total = session.scalar(select(func.count()).select_from(Draft).where(*conditions)) or 0
    count = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, count)
    drafts = session.scalars(select(Draft).where(*conditions).order_by(*filters.order_by())
                             .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    return Page(drafts=list(drafts), total=total, number=number, count=count)


def communes(session: Session) -> list[str]:
    """The communes found in the drafts, for the filter."""
    rows = session.scalars(select(distinct(Draft.commune)).where(Draft.commune.is_not(None)))
    return sorted(rows, key=str.casefold)
