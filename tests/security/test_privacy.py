"""Privacy that matches the words: the purge schedule with time frozen, what each purge deletes and keeps, the
texts shown to applicants (durations from call.yml), and the misunderstood-messages list of the staff area."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, select, update

from actions.drafts import ended_without_summary
from bot.application import prompts
from bot.application.purge import LEASE_KEY, PurgeReport, PurgeScheduler, init_app, run_purge
from bot.call.facts import DEFAULT_CALL_FILE, get_call, load_call
from bot.db.drafts import get_by_reference, get_or_create_draft, link_conversation
from bot.db.models import Draft
from bot.db.security_models import RateLimitCounter
from bot.db.session import session_scope
from bot.faq import answers
from bot.forms.prompts import explanation, privacy_notice
from bot.web.staff.events import not_understood

CALL = get_call()
KEEP_DRAFT = CALL.privacy.retention_days
KEEP_CONVERSATION = CALL.privacy.conversation_days


class FrozenClock:
    """Time stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def create_events(url: str, rows) -> None:
    """A Rasa-like ``events`` table (SQL tracker store) holding ``rows``: (sender, type, when, data)."""
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
                   Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text))
    with session_scope(url) as session:
        metadata.create_all(session.connection())
        session.execute(insert(events), [{"sender_id": sender, "type_name": kind, "timestamp": when.timestamp(),
                                          "data": json.dumps(data)} for sender, kind, when, data in rows])


def conversations(url: str) -> list[str]:
    events = Table("events", MetaData(), Column("sender_id", String(255)))
    with session_scope(url) as session:
        return sorted(set(session.scalars(select(events.c.sender_id))))


def said(text: str, intent: str = "inform") -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


@contextmanager
def purge_log(caplog) -> Iterator[None]:
    """The purge's records, passed on to the root logger where caplog listens (the app factory's
    ``configure_security_log`` stops ``ess.security`` there)."""
    parent = logging.getLogger("ess.security")
    propagate, parent.propagate = parent.propagate, True
    try:
        with caplog.at_level(logging.INFO, logger="ess.security.purge"):
            yield
    finally:
        parent.propagate = propagate


def counting(calls: list[datetime]):
    """run_purge, recording when it is called (a claim that finds the lease held still counts)."""
    def purge(url: str | None, now: datetime, lease: timedelta | None = None) -> PurgeReport | None:
        calls.append(now)
        return run_purge(url, now, lease=lease)
    return purge


@pytest.fixture
def world(migrated_db_url):
    """A database at time t0 (now): one draft (created by ``creator``, resumed by ``resumer``), and
    conversations without a draft, one older than ``conversation_days`` and one younger."""
    t0 = datetime.now(timezone.utc)
    with session_scope(migrated_db_url) as session:
        draft = get_or_create_draft(session, "creator", consent_at=t0)
        link_conversation(session, draft, "resumer", now=t0)
        reference = draft.reference
    old, young = t0 - timedelta(days=KEEP_CONVERSATION + 10), t0 - timedelta(days=KEEP_CONVERSATION - 10)
    create_events(migrated_db_url, [
        ("creator", "user", old, said("Je veux candidater")),  # linked to the draft: kept with it
        ("resumer", "user", old, said("reprendre mon dossier")),
        ("idle-old", "user", old, said("combien on peut demander ?")),
        ("idle-old", "bot", old, {"event": "bot", "text": "15 000 € au plus."}),
        ("idle-young", "user", young, said("c'est quoi l'ESS ?")),
    ])
    return SimpleNamespace(url=migrated_db_url, t0=t0, reference=reference)


def draft_exists(url: str, reference: str) -> bool:
    with session_scope(url) as session:
        return get_by_reference(session, reference) is not None


# --- The schedule, with time frozen ---

def test_the_scheduler_purges_at_start_then_after_24_hours_not_before(world):
    clock, calls = FrozenClock(world.t0), []
    scheduler = PurgeScheduler(url=world.url, clock=clock, purge=counting(calls))
    report = scheduler.tick()  # at start
    assert report is not None and (report.drafts, report.conversations) == (0, 1)
    assert conversations(world.url) == ["creator", "idle-young", "resumer"]
    for hours in (1, 12, 23.9):  # not before 24 hours: not even a database round trip
        clock.now = world.t0 + timedelta(hours=hours)
        assert scheduler.tick() is None
    assert len(calls) == 1
    clock.now = world.t0 + timedelta(hours=24)
    assert scheduler.tick() is not None and len(calls) == 2
    clock.advance(hours=1)
    assert scheduler.tick() is None and len(calls) == 2


def test_conversations_and_drafts_follow_their_own_durations(world):
    clock = FrozenClock(world.t0)
    scheduler = PurgeScheduler(url=world.url, clock=clock)
    scheduler.tick()
    assert conversations(world.url) == ["creator", "idle-young", "resumer"]  # older than conversation_days: gone
    clock.now = world.t0 + timedelta(days=11)  # idle-young is now past conversation_days
    assert scheduler.tick().conversations == 1
    assert conversations(world.url) == ["creator", "resumer"]  # linked to a kept draft: kept
    clock.now = world.t0 + timedelta(days=KEEP_DRAFT - 1)
    assert scheduler.tick().drafts == 0 and draft_exists(world.url, world.reference)
    assert conversations(world.url) == ["creator", "resumer"]
    clock.now = world.t0 + timedelta(days=KEEP_DRAFT, hours=1)
    report = scheduler.tick()
    assert (report.drafts, report.conversations) == (1, 0)  # the draft goes, and every conversation linked to it
    assert not draft_exists(world.url, world.reference) and conversations(world.url) == []


def test_a_draft_modified_recently_keeps_its_old_conversations(world):
    clock = FrozenClock(world.t0 + timedelta(days=KEEP_DRAFT - 1))
    with session_scope(world.url) as session:
        session.execute(update(Draft).where(Draft.reference == world.reference)
                        .values(updated_at=world.t0 + timedelta(days=KEEP_DRAFT - 2)))
    PurgeScheduler(url=world.url, clock=clock).tick()
    assert draft_exists(world.url, world.reference)
    assert "creator" in conversations(world.url) and "resumer" in conversations(world.url)


def test_several_processes_purge_once_a_day_between_them(world):
    clock, first_calls, second_calls = FrozenClock(world.t0), [], []
    first = PurgeScheduler(url=world.url, clock=clock, purge=counting(first_calls))
    second = PurgeScheduler(url=world.url, clock=clock, purge=counting(second_calls))
    assert first.tick() is not None
    assert second.tick() is None  # the lease row says another process purged less than 24 hours ago
    clock.advance(hours=23)
    assert second.tick() is None and first.tick() is None
    clock.advance(hours=1)
    assert second.tick() is not None  # whoever checks first after 24 hours purges
    assert first.tick() is None
    with session_scope(world.url) as session:
        lease = session.get(RateLimitCounter, LEASE_KEY)
        assert lease.count == 2 and lease.expires_at == world.t0 + timedelta(hours=48)


def test_a_failed_purge_releases_the_lease_and_is_retried(world, caplog):
    clock = FrozenClock(world.t0)

    def fails(url, now, lease=None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("bot.application.purge.purge_conversations_older_than", _raise)
            return run_purge(url, now, lease=lease)

    broken = PurgeScheduler(url=world.url, clock=clock, purge=fails)
    with purge_log(caplog):
        assert broken.tick() is None
    assert "Purge des données impossible (RuntimeError)" in caplog.text and "panne" not in caplog.text
    assert conversations(world.url) == ["creator", "idle-old", "idle-young", "resumer"]  # rolled back
    assert PurgeScheduler(url=world.url, clock=clock).tick() is not None  # the lease was not kept
    clock.advance(minutes=59)
    assert broken.tick() is None  # retried at its next hourly check, not at once
    clock.advance(minutes=1)
    assert broken.tick() is None  # by then the other one has purged: lease held for 24 hours


def _raise(*_args, **_kwargs):
    raise RuntimeError("panne")


def test_the_thread_purges_at_start_and_again_when_the_clock_passes_24_hours(world):
    clock, calls = FrozenClock(world.t0), []
    scheduler = PurgeScheduler(url=world.url, clock=clock, check_every=timedelta(milliseconds=10),
                               purge=counting(calls))
    scheduler.start()
    try:
        assert _wait(lambda: scheduler.last_report is not None)
        time.sleep(0.3)  # many checks with the clock frozen: no second purge
        assert len(calls) == 1 and conversations(world.url) == ["creator", "idle-young", "resumer"]
        clock.advance(hours=24)
        assert _wait(lambda: len(calls) == 2)
        assert any(t.name == "privacy-purge" and t.daemon for t in threading.enumerate())
    finally:
        scheduler.stop()
    assert not scheduler._thread.is_alive()


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_the_web_app_starts_the_schedule_except_in_tests(world, monkeypatch):
    assert init_app(SimpleNamespace(testing=True, config={"DATABASE_URL": world.url})) is None
    monkeypatch.setenv("PURGE_SCHEDULE", "0")
    assert init_app(SimpleNamespace(testing=False, config={"DATABASE_URL": world.url})) is None
    monkeypatch.delenv("PURGE_SCHEDULE")
    scheduler = init_app(SimpleNamespace(testing=False, config={"DATABASE_URL": world.url}))
    try:
        assert _wait(lambda: scheduler.last_report is not None)
        assert init_app(SimpleNamespace(testing=False, config={"DATABASE_URL": world.url})) is scheduler  # once
    finally:
        scheduler.stop()
    assert conversations(world.url) == ["creator", "idle-young", "resumer"]


def test_each_purge_is_logged_with_counts_only(world, caplog):
    with purge_log(caplog):
        PurgeScheduler(url=world.url, clock=FrozenClock(world.t0)).tick()
    lines = [r.getMessage() for r in caplog.records if r.name == "ess.security.purge"]
    assert len(lines) == 1 and "0 pré-candidature(s)" in lines[0] and "1 conversation(s)" in lines[0]
    assert f"{KEEP_DRAFT} jours" in lines[0] and f"{KEEP_CONVERSATION} jours" in lines[0]
    for secret in ("idle-old", "creator", world.reference, "combien"):
        assert secret not in caplog.text


# --- What the applicant reads ---

@pytest.fixture
def other_call(tmp_path, monkeypatch):
    """call.yml with other durations (12 days for conversations, 90 for drafts), as CALL_FILE."""
    raw = yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))
    raw["privacy"] = {"retention_days": 90, "conversation_days": 12}
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CALL_FILE", str(path))
    return load_call(path)


def test_conversation_days_defaults_to_30(tmp_path):
    raw = yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))
    raw["privacy"] = {"retention_days": 180}
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_call(path).privacy.conversation_days == 30


PROMISES_NOT_KEPT = ("sans rien conserver", "aucune donnée", "sans rien enregistrer", "rien n'est conservé")


def test_the_bot_says_what_is_kept_and_for_how_long(other_call, make_tracker, dispatcher):
    assert ended_without_summary(dispatcher, make_tracker(slots={"consent": False})) == []
    texts = {
        "notice": privacy_notice(other_call),
        "why consent": explanation("consent", other_call),
        "refused": prompts.no_consent(other_call),
        "refused (as actions/drafts.py says it)": dispatcher.messages[-1]["text"],
        "faq": answers.privacy(other_call),
    }
    for name, text in texts.items():
        assert "12 jours" in text, name  # the conversation itself is kept after a refusal, then deleted
        assert "supprim" in text and "« supprimez mes données »" in text, name
        assert not any(p in text for p in PROMISES_NOT_KEPT), name
    for name in ("notice", "faq"):
        assert "90 jours" in texts[name] and "refusez" in texts[name]


def test_the_privacy_page_shows_both_durations(other_call, tmp_path, monkeypatch):
    from bot.web import create_app

    monkeypatch.setenv("WEB_SECRET_KEY", "clé de test")
    app = create_app({"TESTING": True, "SECURITY_LOG_FILE": tmp_path / "security.log"})
    html = app.test_client().get("/confidentialite").get_data(as_text=True)
    assert "<strong>12 jours</strong>" in html and "<strong>90 jours</strong>" in html
    assert "une fois par jour" in html and "Refuser empêche la création d'un dossier" in html


# --- The staff area shows no message of someone who refused ---

def test_misunderstood_messages_only_from_conversations_whose_applicant_consented(migrated_db_url):
    now = datetime.now(timezone.utc)
    with session_scope(migrated_db_url) as session:
        agreed = get_or_create_draft(session, "agreed", consent_at=now)
        link_conversation(session, agreed, "agreed-later")
        get_or_create_draft(session, "no-consent-recorded")
    create_events(migrated_db_url, [
        ("agreed", "user", now - timedelta(minutes=5), said("un tiers-lieu numérique ?", "nlu_fallback")),
        ("agreed-later", "user", now - timedelta(minutes=4), said("et la météo ?", "out_of_scope")),
        ("refused", "user", now - timedelta(minutes=3), said("mon voisin Jean Dupont, 06 12 34 56 78", "nlu_fallback")),
        ("refused", "bot", now - timedelta(minutes=3), {"event": "bot", "text": "Je n'ai pas compris."}),
        ("no-consent-recorded", "user", now - timedelta(minutes=2), said("zorglub", "nlu_fallback")),
        ("questions-only", "user", now - timedelta(minutes=1), said("blabla", "nlu_fallback")),
    ])
    with session_scope(migrated_db_url) as session:
        shown = not_understood(session)
    assert [(m.sender_id, m.text) for m in shown] == [("agreed-later", "et la météo ?"),
                                                       ("agreed", "un tiers-lieu numérique ?")]


# --- The command line stays for a manual run ---

def test_the_manual_purge_uses_both_durations(world, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", world.url)
    assert main(["drafts", "purge"]) == 0
    out = capsys.readouterr().out
    assert f"Aucune pré-candidature supprimée : dernière modification il y a plus de {KEEP_DRAFT} jours." in out
    assert (f"1 conversation sans pré-candidature supprimée : dernier message il y a plus de {KEEP_CONVERSATION} "
            "jours.") in out
    assert main(["drafts", "purge", "--older-than", "1d", "--conversations-older-than", "5d"]) == 0
    assert conversations(world.url) == ["creator", "resumer"] and draft_exists(world.url, world.reference)
    assert main(["drafts", "purge", "--conversations-older-than", "0d"]) == 2
