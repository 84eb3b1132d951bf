"""Resume brute force: 5 wrong codes lock the reference for an hour, whatever the sender id or the address;
failures are counted per address across references; staff can unlock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.application import prompts as text
from bot.application.resume import check_code, request_code
from bot.db import drafts as repo
from bot.db import resume as guard
from bot.db.session import session_scope
from bot.db.staff_models import DraftAudit
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


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def locked(reference: str, now: datetime) -> bool:
    with session_scope() as session:
        return guard.active_lock(session, reference, now) is not None


def test_five_wrong_codes_lock_even_the_right_one_then_the_lock_ends_after_an_hour(database, outbox):
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "attacker", "203.0.113.1", now=T0)
    code = code_in(outbox_mails(outbox)[0])
    for i in range(5):
        assert not check_code(reference, wrong(code), "attacker", "203.0.113.1", now=minutes(1 + i))
    assert locked(reference, minutes(6))
    assert not check_code(reference, code, "attacker", "203.0.113.1", now=minutes(6))  # the lock wins
    request_code(reference, VICTIM_EMAIL, "owner-later", "198.51.100.7", now=minutes(30))
    assert len(outbox_mails(outbox)) == 1  # no code sent while locked
    assert locked(reference, minutes(64)) and not locked(reference, minutes(66))
    request_code(reference, VICTIM_EMAIL, "owner-later", "198.51.100.7", now=minutes(66))
    fresh = code_in(outbox_mails(outbox)[1])
    assert check_code(reference, fresh, "owner-later", "198.51.100.7", now=minutes(67))


def test_a_new_sender_id_and_a_new_address_do_not_reset_the_counter(database, outbox):
    reference = make_draft("owner")
    for attempt in range(5):  # each try from a fresh conversation and a fresh address
        sender, client = f"attacker-{attempt}", f"203.0.113.{attempt}"
        request_code(reference, VICTIM_EMAIL, sender, client, now=minutes(attempt))
        assert not check_code(reference, "000000", sender, client, now=minutes(attempt))
    assert locked(reference, minutes(5))


def test_a_different_reference_from_the_same_address_is_counted(database, outbox):
    first, second, third = make_draft("a"), make_draft("b"), make_draft("c")
    for i in range(3):
        assert not check_code(first, "000000", "attacker", "203.0.113.9", now=minutes(i))
    for i in range(2):
        assert not check_code(second, "000000", "attacker-bis", "203.0.113.9", now=minutes(3 + i))
    assert not locked(first, minutes(5)) and not locked(second, minutes(5))  # neither reached 5 on its own
    request_code(third, VICTIM_EMAIL, "attacker-ter", "203.0.113.9", now=minutes(6))
    assert outbox_mails(outbox) == []  # the address is blocked: no code, whatever the reference
    request_code(third, VICTIM_EMAIL, "owner", "198.51.100.1", now=minutes(6))
    assert len(outbox_mails(outbox)) == 1  # another address is not
    request_code(third, VICTIM_EMAIL, "attacker-ter", "203.0.113.9", now=minutes(62))
    assert len(outbox_mails(outbox)) == 2  # blocked for the hour only


def test_unknown_references_and_wrong_emails_count_for_the_address_only(database, outbox):
    reference = make_draft("owner")
    for i in range(5):
        request_code(reference, f"guess{i}@exemple.fr", "attacker", "203.0.113.5", now=minutes(i))
    assert not locked(reference, minutes(5))  # nobody can lock a draft with wrong e-mails
    request_code(reference, VICTIM_EMAIL, "attacker", "203.0.113.5", now=minutes(6))
    assert outbox_mails(outbox) == []  # but that address is done guessing for the hour
    request_code(reference, VICTIM_EMAIL, "owner", "198.51.100.1", now=minutes(6))
    assert len(outbox_mails(outbox)) == 1


async def test_the_conversation_gives_up_after_five_wrong_codes(make_tracker, database, outbox):
    reference = make_draft("owner")
    _, slots = await ask_code(make_tracker, reference, VICTIM_EMAIL, "attacker")
    code = code_in(outbox_mails(outbox)[0])
    for attempt in range(4):
        dispatcher, slots = await give_code(make_tracker, slots, wrong(code), "attacker")
        assert texts(dispatcher) == [text.RESUME_CODE_REJECTED] and slots["resume_failures"] == attempt + 1
    dispatcher, slots = await give_code(make_tracker, slots, wrong(code), "attacker")
    assert texts(dispatcher)[:2] == [text.RESUME_CODE_REJECTED, text.RESUME_GIVE_UP]
    assert slots["resume_code"] == ""  # the form ends
    _, events = finish_resume(make_tracker, slots, "attacker")
    assert "org_name" not in slot_values(events)
    with session_scope() as session:
        assert guard.active_lock(session, reference, datetime.now(timezone.utc)) is not None
        assert repo.linked_draft(session, "attacker") is None


def test_staff_unlock_ends_the_lock_and_is_audited(database, outbox):
    reference = make_draft("owner")
    for i in range(5):
        check_code(reference, "000000", "attacker", "203.0.113.1", now=minutes(i))
    with session_scope() as session:
        draft = repo.get_by_reference(session, reference)
        assert guard.unlock(session, draft, None, minutes(10))
        assert not guard.unlock(session, draft, None, minutes(10))  # nothing left to unlock
        assert [a.action for a in session.query(DraftAudit).filter_by(draft_reference=reference)] == [
            "resume_unlocked"]
    assert not locked(reference, minutes(10))
    request_code(reference, VICTIM_EMAIL, "owner-later", "203.0.113.1", now=minutes(11))  # address counted afresh
    assert check_code(reference, code_in(outbox_mails(outbox)[0]), "owner-later", "203.0.113.1", now=minutes(12))
    for i in range(4):  # tries before the unlock no longer count
        check_code(reference, "000000", "attacker", "203.0.113.2", now=minutes(13 + i))
    assert not locked(reference, minutes(20))


def test_without_an_address_the_reference_limit_still_holds(database, outbox):
    """Messages without the website's metadata (callers inside the private network) share no address bucket,
    but five wrong codes still lock the reference."""
    first, second = make_draft("a"), make_draft("b")
    for i in range(5):
        assert not check_code(first, "000000", f"internal-{i}", None, now=minutes(i))
    assert locked(first, minutes(5))
    request_code(second, VICTIM_EMAIL, "internal-owner", None, now=minutes(6))
    assert check_code(second, code_in(outbox_mails(outbox)[0]), "internal-owner", None, now=minutes(7))
