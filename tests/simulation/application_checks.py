"""What the simulated pre-applications left in the database, checked after they were played.

- Values: ``python -m bot drafts export --format json`` (run with the servers' ``DATABASE_URL``) must hold, for
  each confirmed draft, every value of the dialogue, normalised as the field's parser reads it (None when the
  applicant left it "à préciser", or when the profile has no such field).
- Provenance: the sentence that gave each value. The JSON export does not carry it (``draft_to_dict`` exports
  the columns only): it is read from the table ``draft_field_sources``, which ``python -m bot drafts show REF``
  prints. :func:`export_has_provenance` tells whether the export carries it; the report says so.
- Deletion: no row left in ``drafts``, ``draft_conversations`` or Rasa's ``events`` for the draft and every
  conversation that created or resumed it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, select

from bot.db.deletion import RASA_EVENTS
from bot.db.drafts import EXPORT_COLUMNS
from bot.db.models import Draft, DraftConversation, DraftFieldSource
from bot.forms.fields import APPLICATION_FIELDS, FIELDS
from tests.simulation.application_player import AppResult

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Store:
    exported: dict[str, dict[str, Any]]  # reference -> the draft as the JSON export gives it
    sources: dict[str, dict[str, str]]  # reference -> column -> the sentence recorded for it
    references: set[str]  # every reference in the drafts table
    linked: set[str]  # every conversation in draft_conversations
    events: set[str]  # every conversation with Rasa events
    notes: list[str] = field(default_factory=list)


def export_json(database_url: str) -> list[dict[str, Any]]:
    done = subprocess.run([sys.executable, "-m", "bot", "drafts", "export", "--format", "json"], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"python -m bot drafts export a échoué ({done.returncode}) : {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def read_store(database_url: str) -> Store:
    exported = {row["reference"]: row for row in export_json(database_url)}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            sources: dict[str, dict[str, str]] = {}
            rows = connection.execute(select(Draft.reference, DraftFieldSource.field, DraftFieldSource.message)
                                      .join(DraftFieldSource, DraftFieldSource.draft_id == Draft.id))
            for reference, column, message in rows:
                sources.setdefault(reference, {})[column] = message
            references = set(connection.scalars(select(Draft.reference)))
            linked = set(connection.scalars(select(DraftConversation.conversation_id)))
            events: set[str] = set()
            if inspect(connection).has_table("events"):
                events = set(connection.scalars(select(RASA_EVENTS.c.sender_id).distinct()))
    finally:
        engine.dispose()
    return Store(exported, sources, references, linked, events)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def export_has_provenance(store: Store, results: list[AppResult]) -> bool | None:
    """Whether the JSON export carries the sentences that gave the values, anywhere but in the value columns
    (None: no confirmed draft to tell)."""
    columns = set(EXPORT_COLUMNS)
    seen = None
    for result in results:
        row = store.exported.get(result.reference or "")
        if row is None:
            continue
        extra = {text for key, value in row.items() if key not in columns or not isinstance(value, str)
                 for text in _strings(value)}
        seen = any(sentence in extra for sentence in result.sources.values())
        if seen:
            return True
    return seen


def _same(key: str, got: Any, want: Any) -> bool:
    if want is None:
        return got is None or got == ""
    if key in ("amount", "total_budget"):
        return isinstance(got, (int, float)) and abs(float(got) - float(want)) < 0.005
    return got == want


def check_result(result: AppResult, store: Store) -> None:
    """Adds the store's failures to ``result`` (a dialogue played to its end)."""
    if result.skipped or result.reference is None:
        return
    if result.dialogue.delete:
        left = [name for name, found in (
            ("drafts", result.reference in store.references or result.reference in store.exported),
            ("draft_conversations", bool(set(result.senders) & store.linked)),
            ("events", bool(set(result.senders) & store.events))) if found]
        if left:
            result.fail("not_deleted", f"{result.reference} still in {', '.join(left)} after the deletion "
                                       f"(conversations {', '.join(result.senders)})")
        return
    draft = store.exported.get(result.reference)
    if draft is None:
        result.fail("export", f"{result.reference} is not in the JSON export")
        return
    if not draft.get("consent_at"):
        result.fail("export", f"{result.reference}: no consent date")
    if not isinstance(draft.get("sources"), dict):
        result.fail("export", f"{result.reference}: the JSON export has no provenance (key 'sources')")
        return
    # The provenance as the JSON export gives it, checked against the table it comes from.
    recorded = {column: source.get("message") for column, source in draft["sources"].items()}
    if recorded != {c: m for c, m in store.sources.get(result.reference, {}).items()}:
        result.fail("export", f"{result.reference}: the export's sources differ from draft_field_sources")
    unsourced = []
    for key in APPLICATION_FIELDS:
        column, want = FIELDS[key].db_column, result.expected.get(key)
        if not _same(key, draft.get(column), want):
            typed = " / ".join(f"« {text} »" for text in result.said.get(key, [])) or "nothing"
            result.fail("export", f"{key}: exported {draft.get(column)!r}, expected {want!r} "
                                  f"(the field's parser on « {result.sources.get(key, '')} »; typed when asked: {typed})")
            continue
        if want is not None and recorded.get(column) is None:
            unsourced.append(f"{key} (« {result.sources.get(key)} »)")
        elif want is not None and recorded.get(column) != result.sources.get(key):
            result.fail("provenance", f"{key}: recorded from « {recorded.get(column)} », expected "
                                      f"« {result.sources.get(key)} »")
    if unsourced:
        result.fail("provenance", f"{len(unsourced)} values recorded without the sentence that gave them: "
                                  + ", ".join(unsourced))


def check_store(results: list[AppResult], database_url: str) -> tuple[Store, list[str]]:
    """Check every played dialogue against the database; returns the store and notes for the report."""
    store = read_store(database_url)
    for result in results:
        check_result(result, store)
    notes = []
    carried = export_has_provenance(store, results)
    if carried is False:
        notes.append("The JSON export (python -m bot drafts export --format json) has no provenance: the sentence "
                     "behind each value was checked in the table draft_field_sources (what `python -m bot drafts "
                     "show REF` prints).")
    store.notes = notes
    return store, notes
