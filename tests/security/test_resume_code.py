"""Resume with a one-time code: the whole exchange, the identical messages, expiry, single use, the outbox."""
from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.events import FollowupAction

from actions.resume import VERIFIED
from bot.application import prompts as text
from bot.application.resume import check_code, parse_code, request_code
from bot.db import drafts as repo
from bot.db.resume_models import ResumeCode
from bot.db.session import session_scope
from tests.security.helpers import (
    VICTIM_EMAIL,
    ask_code,
    code_in,
    finish_resume,
    give_code,
    make_draft,
    outbox_mails,
    slot_values,
    texts,
    wrong,
)

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL), outbox

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


async def test_reference_email_code_then_the_draft_is_resumed_and_linked(make_tracker, database, outbox):
    reference = make_draft("owner-first-visit")
    dispatcher, slots = await ask_code(make_tracker, reference, "Marie.Curie@Exemple.fr", "owner-later")
    assert texts(dispatcher) == [text.RESUME_CODE_SENT]
    assert slots["resume_email"] == "Marie.Curie@exemple.fr" and slots.get("org_name") is None
    [mail] = outbox_mails(outbox)
    assert mail["To"] == VICTIM_EMAIL and reference in mail["Subject"] and "Les Jardins" not in mail.get_content()
    dispatcher, slots = await give_code(make_tracker, slots, code_in(mail), "owner-later")
    assert slots["resume_code"] == VERIFIED and texts(dispatcher) == []
    dispatcher, events = finish_resume(make_tracker, slots, "owner-later")
    values = slot_values(events)
    assert values["org_name"] == "Les Jardins de Marie" and values["draft_reference"] == reference
    assert values["consent"] is True and values["resumed"] is True and FollowupAction("application_form") in events
    assert reference in texts(dispatcher)[0]
    with session_scope() as session:
        assert repo.linked_draft(session, "owner-later").reference == reference
        assert repo.linked_conversations(session, repo.get_by_reference(session, reference)) == [
            "owner-first-visit", "owner-later"]


async def test_every_failure_reads_the_same(make_tracker, database, outbox):
    """Unknown reference, wrong e-mail, locked reference, blocked address: the same words, and no mail."""
    reference = make_draft("owner")
    cases = [("ESS-2026-9999", VICTIM_EMAIL, "unknown-ref"), (reference, "autre@exemple.fr", "wrong-email")]
    answers = []
    for ref, email, sender in cases:
        dispatcher, slots = await ask_code(make_tracker, ref, email, sender, client=f"198.51.100.{len(answers)}")
        answers.append(texts(dispatcher))
        assert slots["resume_email"] == email.lower() or slots["resume_email"] == email
    assert outbox_mails(outbox) == []
    dispatcher, _ = await ask_code(make_tracker, reference, VICTIM_EMAIL, "right", client="198.51.100.9")
    answers.append(texts(dispatcher))
    assert len(outbox_mails(outbox)) == 1
    assert answers == [[text.RESUME_CODE_SENT]] * 3
    # The code step: no code sent, a wrong code, an expired code, a locked reference: the same words.
    rejected = []
    _, slots = await ask_code(make_tracker, "ESS-2026-9999", VICTIM_EMAIL, "nobody", client="198.51.100.20")
    dispatcher, _ = await give_code(make_tracker, slots, "123456", "nobody", client="198.51.100.20")
    rejected.append(texts(dispatcher))
    code = code_in(outbox_mails(outbox)[0])
    dispatcher, _ = await give_code(make_tracker, {"resume_reference": reference, "resume_email": VICTIM_EMAIL},
                                    wrong(code), "right", client="198.51.100.9")
    rejected.append(texts(dispatcher))
    assert rejected == [[text.RESUME_CODE_REJECTED]] * 2
    assert "n'existe" not in text.RESUME_CODE_SENT and "bloqué" not in text.RESUME_CODE_SENT


def test_the_code_expires_after_15_minutes(database, outbox):
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1", now=T0)
    code = code_in(outbox_mails(outbox)[0])
    assert not check_code(reference, code, "later", "198.51.100.1", now=T0 + timedelta(minutes=15, seconds=1))
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1", now=T0 + timedelta(minutes=20))
    fresh = code_in(outbox_mails(outbox)[1])
    assert check_code(reference, fresh, "later", "198.51.100.1", now=T0 + timedelta(minutes=34, seconds=59))


def test_only_the_last_code_counts_and_only_once_and_only_for_its_conversation(database, outbox):
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1", now=T0)
    first = code_in(outbox_mails(outbox)[0])
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1", now=T0 + timedelta(minutes=1))
    second = code_in(outbox_mails(outbox)[1])
    now = T0 + timedelta(minutes=2)
    if first != second:
        assert not check_code(reference, first, "later", "198.51.100.1", now=now)
    assert not check_code(reference, second, "someone-else", "198.51.100.2", now=now)  # bound to its conversation
    assert check_code(reference, second, "later", "198.51.100.1", now=now)
    assert not check_code(reference, second, "later", "198.51.100.1", now=now)  # used
    with session_scope() as session:
        assert session.query(ResumeCode).count() == 0  # nothing left to guess


def test_only_a_hash_of_the_code_is_stored(database, outbox):
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1", now=T0)
    code = code_in(outbox_mails(outbox)[0])
    with session_scope() as session:
        [row] = session.query(ResumeCode).all()
        assert code not in row.code_hash and row.code_hash.startswith("pbkdf2_sha256$")
        assert row.expires_at == T0 + timedelta(minutes=15)


def test_the_outbox_is_private(database, outbox):
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1")
    assert len(outbox_mails(outbox)) == 1
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    [path] = outbox.glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_at_most_five_codes_an_hour_for_one_draft(database, outbox):
    reference = make_draft("owner")
    for minute in range(7):
        request_code(reference, VICTIM_EMAIL, f"conv-{minute}", f"198.51.100.{minute}",
                     now=T0 + timedelta(minutes=minute))
    assert len(outbox_mails(outbox)) == 5
    request_code(reference, VICTIM_EMAIL, "conv-late", "198.51.100.99", now=T0 + timedelta(minutes=61))
    assert len(outbox_mails(outbox)) == 6


@pytest.mark.parametrize("typed, code", [("123456", "123456"), ("mon code : 123 456", "123456"),
                                         ("123-456", "123456"), ("12345", None), ("1234567", None),
                                         ("123456 ou 654321", None), ("", None)])
def test_parse_code(typed, code):
    assert parse_code(typed) == code


async def test_a_malformed_code_is_not_a_try(make_tracker, database, outbox):
    reference = make_draft("owner")
    _, slots = await ask_code(make_tracker, reference, VICTIM_EMAIL, "later")
    dispatcher, slots = await give_code(make_tracker, slots, "je ne l'ai pas reçu", "later")
    assert texts(dispatcher) == [text.RESUME_CODE_NOT_UNDERSTOOD] and slots["resume_failures"] == 0


async def test_stop_or_the_number_again_while_the_code_is_asked(make_tracker, database, outbox):
    reference = make_draft("owner")
    _, slots = await ask_code(make_tracker, reference, "faute@exemple.fr", "later")
    dispatcher, again = await give_code(make_tracker, slots, f"je recommence : {reference.lower()}", "later")
    assert again["resume_reference"] == reference and again["resume_email"] is None and texts(dispatcher) == []
    dispatcher, stopped = await give_code(make_tracker, slots, "laisse tomber", "later")
    assert texts(dispatcher) == [text.RESUME_STOPPED] and stopped["resume_code"] == ""
    _, events = finish_resume(make_tracker, stopped, "later")
    assert "org_name" not in slot_values(events) and FollowupAction("application_form") not in events
