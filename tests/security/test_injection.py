"""Command injection and numbers out of range (issue 9, item 4).

- No text typed by a person becomes a Rasa command ("/restart", "/intent{entities}"), however the slashes
  are hidden: spaces, several slashes, look-alike slashes, zero-width characters, newlines, a greeting
  first. Checked with Rasa's own parser on a fuzz set, then over the real REST webhook (marker ``rest``):
  no restart, no entity and no slot from the command.
- A negative or absurd amount, budget or number of jobs is refused with a French reason in both forms,
  and never saved, whatever set the slot.
"""
from __future__ import annotations

import itertools
import json
import random
import unicodedata
import uuid
from typing import Any

import pytest
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.drafts import ValidateApplicationForm
from actions.eligibility import ValidateEligibilityForm
from bot.application.service import save_draft
from bot.call.facts import get_call
from bot.db import drafts as repo
from bot.db.session import session_scope
from bot.nlp.text import clean_user_text
from tests.domain_forms import forms_domain
from tests.security.helpers import FULL, slot_values

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL)

SLASHES = ["/", "／", "⁄", "∕", "⧸", "╱"]
HIDERS = ["", " ", "  ", "\u200b", "\ufeff", "\u200d", "\u2060", "\u00a0", "\u202f", "\n", "\r\n", "\t", "\u202e",
          "\x00", "\u3000"]
PREFIXES = ["", "bonjour ", "Bonjour, ", "bjr / ", "Madame, Monsieur, "]
COMMANDS = ["restart", "back", "session_start", 'start_application{"amount": -5}',
            'inform{"amount": 999999999999, "total_budget": -1}', "restart@1.0", "check_eligibility"]
KNOWN = ["/ /restart", '/ / /start_application{"amount": -5}', "//restart", "/\n/restart", "\u200b/restart",
         "／restart", "/ ／ /restart", "\ufeff/\u200b/back", " \t/ /session_start", "bonjour, / /restart",
         "Bonjour, /// /restart maintenant", "/ bonjour, / /restart", '\u2060/inform{"amount": -5}']


def variants() -> list[str]:
    """Every prefix + hider + slash + hider + slash + command, then a seeded random sample of longer ones."""
    found = list(KNOWN)
    for prefix, first, slash, second, command in itertools.product(
            PREFIXES, HIDERS, SLASHES, ["", " ", "\u200b", "\n", "/ ", "／ /"], COMMANDS):
        found.append(f"{prefix}{first}{slash}{second}{command}")
    rng = random.Random(9)
    pieces = SLASHES + HIDERS + PREFIXES
    for _ in range(2000):
        found.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) + rng.choice(SLASHES)
                     + rng.choice(COMMANDS))
    return found


def rasa_reads_a_command(cleaned: str) -> bool:
    """What Rasa does with the text: strip it (UserMessage), then unpack "/intent{...}" (RegexMessageHandler)."""
    message = Message(data={TEXT: cleaned.strip()})
    return YAMLStoryReader.unpack_regex_message(message).get(INTENT) is not None


def test_rasa_reader_sees_the_raw_commands():
    """The check below is meaningful: without cleaning, Rasa reads these as commands."""
    assert rasa_reads_a_command("/restart") and rasa_reads_a_command('/start_application{"amount": -5}')
    assert rasa_reads_a_command("\u00a0/restart")


def test_no_variant_becomes_a_command():
    for raw in variants():
        cleaned = clean_user_text(raw)
        assert not rasa_reads_a_command(cleaned), repr(raw)
        assert cleaned[:1] not in SLASHES and cleaned == cleaned.strip(), repr(raw)
        assert clean_user_text(cleaned) == cleaned, repr(raw)  # cleaning twice changes nothing
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned
                       if ch not in "\n\t\u200c\u200d"), repr(raw)


@pytest.mark.parametrize("raw, expected", [
    ("/ /restart", "restart"),
    ('/ / /start_application{"amount": -5}', 'start_application{"amount": -5}'),
    ("／restart", "restart"),
    ("\u200b/\u200b/restart", "restart"),
    ("/\n/\nrestart", "restart"),
    ("Bonjour, / /restart maintenant", "restart maintenant"),
    ("bonjour, qui peut candidater ?", "qui peut candidater ?"),
    ("Combien / mois ?", "Combien / mois ?"),
    ("👨\u200d👩\u200d👧 ok", "👨\u200d👩\u200d👧 ok"),
])
def test_commands_are_plain_text_and_the_rest_is_kept(raw, expected):
    assert clean_user_text(raw) == expected


# ---------------------------------------------------------------------------------------------- numbers

REFUSED_AMOUNTS = {"-5 000 €": "négatif", "- 5000 euros": "négatif", "−5000": "négatif", "moins 5000 €": "négatif",
                   "12 000 € ou -5": "négatif", "100 000 001 €": "dépasser", "99999999999": "dépasser",
                   "1e9": "Je n'ai pas compris"}
REFUSED_JOBS = {"-3": "négatif", "on crée -3 emplois": "négatif", "2 emplois et -1": "négatif", "5000": "inhabituel",
                "1e9": "chiffres", "3 - 5 emplois": "un seul nombre"}
FORMS_DOMAIN = forms_domain("eligibility_form", "application_form")  # the required slots of domain/*.yml


async def answer(make_tracker, form: str, requested: str, text_: str):
    """One answer to ``requested``, every other question of the form answered already."""
    validator = ValidateEligibilityForm() if form == "eligibility_form" else ValidateApplicationForm()
    slots = {**FULL, requested: None, "requested_slot": requested}
    tracker = make_tracker(slots=slots, text=text_, active_loop=form,
                           sender_id=f"num-{uuid.uuid4().hex[:8]}")
    dispatcher = CollectingDispatcher()
    events = await validator.run(dispatcher, tracker, FORMS_DOMAIN)
    return slot_values(events), " ".join(m.get("text") or "" for m in dispatcher.messages)


@pytest.mark.parametrize("form", ["eligibility_form", "application_form"])
@pytest.mark.parametrize("requested", ["amount", "total_budget"])
@pytest.mark.parametrize("typed, reason", list(REFUSED_AMOUNTS.items()))
async def test_negative_or_absurd_amounts_are_refused_in_both_forms(make_tracker, database, form, requested, typed,
                                                                   reason):
    values, said = await answer(make_tracker, form, requested, typed)
    assert values.get(requested) is None and values["requested_slot"] == requested
    assert reason in said, said


@pytest.mark.parametrize("typed, reason", list(REFUSED_JOBS.items()))
async def test_negative_or_absurd_jobs_are_refused(make_tracker, database, typed, reason):
    values, said = await answer(make_tracker, "application_form", "jobs", typed)
    assert values.get("jobs") is None and values["requested_slot"] == "jobs"
    assert reason in said, said


@pytest.mark.parametrize("form", ["eligibility_form", "application_form"])
async def test_a_plain_amount_is_still_taken(make_tracker, database, form):
    values, _ = await answer(make_tracker, form, "amount", "12 000 €")
    assert values["amount"] == 12000.0


def test_out_of_range_numbers_are_never_saved(database):
    """Whatever set the slots (a forged action call, an old conversation), the draft keeps sane numbers only."""
    answers = {**FULL, "amount": -5.0, "total_budget": 1e12, "jobs": 5000}
    reference = save_draft("num-save", answers, {}, FULL["consent_at"], get_call())
    with session_scope() as session:
        stored = repo.draft_to_dict(repo.get_by_reference(session, reference))
    assert stored["amount"] is None and stored["total_budget"] is None and stored["jobs"] is None
    assert stored["org_name"] == FULL["org_name"]
    reference = save_draft("num-save-2", {**FULL, "amount": float("nan"), "jobs": 2.5}, {}, FULL["consent_at"],
                           get_call())
    with session_scope() as session:
        stored = repo.draft_to_dict(repo.get_by_reference(session, reference))
    assert stored["amount"] is None and stored["jobs"] is None and stored["total_budget"] == FULL["total_budget"]


# ---------------------------------------------------------------------------------------- over REST

OVER_REST = ["/ /restart", "//restart", "\u200b/restart", "／restart", "/\n/restart", "bonjour, / /restart",
             "/ /back", '/ / /start_application{"amount": -5}', '/ / /inform{"amount": -5, "total_budget": -1}']


def stored_events(live_servers, sender: str) -> list[dict[str, Any]]:
    engine = create_engine(live_servers.env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        events = [json.loads(row[0]) for row in rows]
    engine.dispose()
    return events


@pytest.mark.rest
@pytest.mark.parametrize("raw", OVER_REST)
def test_injection_over_the_rest_webhook_has_no_effect(live_servers, raw):
    sender = f"inj-{uuid.uuid4().hex[:10]}"
    status, _ = live_servers.send(sender, "je veux vérifier si mon projet est éligible")
    assert status == 200
    status, messages = live_servers.send(sender, raw)
    assert status == 200 and isinstance(messages, list)
    events = stored_events(live_servers, sender)
    names = [e.get("event") for e in events]
    assert "restart" not in names and "rewind" not in names, names
    assert not any(e.get("event") == "action" and e.get("name") in ("action_restart", "action_back")
                   for e in events)
    users = [e for e in events if e.get("event") == "user"]
    assert len(users) == 2 and not users[-1]["text"].startswith("/"), users[-1]["text"]
    for entity in users[-1]["parse_data"].get("entities", []):
        assert entity.get("extractor") != "RegexMessageHandler", entity
        assert str(entity.get("value")).lstrip() not in ("-5", "-1"), entity
    numbers = [e for e in events if e.get("event") == "slot" and e.get("name") in ("amount", "total_budget", "jobs")]
    assert all(e.get("value") is None or e["value"] > 0 for e in numbers), numbers
    # The eligibility check started by the first message is still under way.
    loops = [e.get("name") for e in events if e.get("event") == "active_loop"]
    assert loops and loops[-1] == "eligibility_form", loops
