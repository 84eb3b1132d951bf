"""Corrections asked by staff, answered in the chat (issue 12), through the REST webhook with the real servers.

An applicant completes a pre-application in the chat; a reviewer asks for corrections (bot.db.corrections, on the
servers' database); the applicant resumes in a new conversation (reference, e-mail, the code read from the .eml
in the outbox), is told what staff asked, is asked only those fields, confirms; the database then holds the new
values, the history of the changes with their sentences, the closed request and the draft back in review.
The transcripts are written to results/rest-corrections.txt.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from bot.call.facts import load_call
from bot.db import corrections
from bot.db import drafts as repo
from bot.db.followup_models import CorrectionRequest
from bot.db.session import session_scope
from bot.db.staff import change_status, create_user
from bot.forms.fields import APPLICATION_FIELDS
from bot.forms.prompts import question
from tests.test_rest import assert_polite_french, new_sender
from tests.test_rest_application import ANSWERS, START_DATE

pytestmark = pytest.mark.rest

RESULTS = Path(__file__).resolve().parent.parent / "results"
EMAIL = "marie.curie@exemple.fr"


class Conversation:
    """One visitor's conversation; every reply is checked as in the other REST tests and kept."""

    def __init__(self, servers, log: list[tuple[str, str]]) -> None:
        self.servers, self.sender, self.log = servers, new_sender(), log
        self.replies: list[str] = []

    def say(self, message: str) -> str:
        status, messages = self.servers.send(self.sender, message)
        assert_polite_french(status, messages, forbidden=("<script",))
        said = [m.get("text", "") for m in messages if m.get("text")]
        self.replies += said
        self.log.append((message, "\n".join(said)))
        return "\n".join(said)


def write_transcript(name: str, log: Sequence[tuple[str, str]]) -> None:
    RESULTS.mkdir(exist_ok=True)
    lines = [f"== {name}"] + [f"> {user}\n{bot}\n" for user, bot in log]
    with (RESULTS / "rest-corrections.txt").open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def resume_code(servers, reference: str, since: float, timeout: float = 15.0) -> str:
    """The code of the newest resume mail for ``reference`` written after ``since`` (other mails are skipped)."""
    outbox = Path(servers.env["MAIL_OUTBOX_DIR"])
    parser = BytesParser(policy=policy.default)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            if path.stat().st_mtime < since:
                break
            mail = parser.parsebytes(path.read_bytes())
            if reference in str(mail["Subject"]) and "code" in str(mail["Subject"]):
                for line in mail.get_body(("plain",)).get_content().splitlines():
                    if line.strip().isdigit() and len(line.strip()) == 6:
                        return line.strip()
        time.sleep(0.2)
    raise AssertionError(f"aucun code de reprise pour {reference} dans {outbox}")


def completed_pre_application(servers, log) -> str:
    """The pre-application of tests/test_rest_application.py, confirmed; its reference."""
    applicant = Conversation(servers, log)
    for message, expected in ANSWERS:
        assert expected in applicant.say(message), message
    assert "récapitulatif" in applicant.say("non")
    confirmation = applicant.say("oui")
    return next(word.strip(".,") for word in confirmation.split() if word.startswith("ESS-"))


def reviewer_asks(servers, reference: str, fields, comment: str) -> int:
    """A reviewer takes the draft up, then asks for corrections (what the staff page does)."""
    with session_scope(servers.env["DATABASE_URL"]) as session:
        user = create_user(session, f"agent-{new_sender()}@valdemarne.fr", "un mot de passe assez long")
        draft = repo.get_by_reference(session, reference)
        change_status(session, draft, "in_review", user, "Examen du dossier.")
        return corrections.request_correction(session, draft, fields, comment, user).id


def resume(servers, reference: str, log) -> tuple[Conversation, str]:
    """A new conversation resumes the draft: reference, e-mail, code; the reply to the code."""
    applicant = Conversation(servers, log)
    assert "e-mail" in applicant.say(f"bonjour, je voudrais reprendre mon dossier {reference}")
    since = time.time() - 1
    assert "code à 6 chiffres" in applicant.say(EMAIL)
    return applicant, applicant.say(resume_code(servers, reference, since))


def stored(servers, reference: str):
    with session_scope(servers.env["DATABASE_URL"]) as session:
        draft = repo.get_by_reference(session, reference)
        changes = [(c.field, c.old_value, c.new_value, c.message, c.correction_request_id)
                   for c in corrections.field_changes(session, draft)]
        requests = [(r.id, r.completed_at is not None) for r in session.query(CorrectionRequest)
                    .filter_by(draft_id=draft.id)]
        return repo.draft_to_dict(draft), changes, requests


def questions_asked(replies: Sequence[str], call) -> list[str]:
    """The fields whose question appears in the replies."""
    return [key for key in APPLICATION_FIELDS if any(question(key, call).text in reply for reply in replies)]


def assert_no_prompt_three_times(replies: Sequence[str]) -> None:
    repeated = [text for text, count in Counter(replies).items() if count >= 3]
    assert not repeated, repeated


def test_the_reviewer_asks_for_the_amount_and_the_applicant_corrects_it_in_a_new_conversation(live_servers):
    call, log = load_call(), []
    reference = completed_pre_application(live_servers, log)
    comment = "Le montant demandé dépasse ce que permet votre budget : merci de le revoir."
    request_id = reviewer_asks(live_servers, reference, ["amount"], comment)
    applicant, told = resume(live_servers, reference, log)
    assert reference in told and comment in told and "le montant demandé" in told
    assert questions_asked([told], call) == ["amount"]  # the amount's question, and no other
    summary = applicant.say("le montant c'est 9000 euros")
    assert "récapitulatif" in summary and "9 000 €" in summary
    assert stored(live_servers, reference)[0]["amount"] == 12000  # nothing written before the confirmation
    done = applicant.say("c'est bon")
    assert "corrections sont enregistrées" in done and "en cours d'examen" in done and reference in done
    write_transcript("correction du montant", log)

    draft, changes, requests = stored(live_servers, reference)
    assert draft["amount"] == 9000 and draft["status"] == "in_review" and draft["total_budget"] == 40000
    assert requests == [(request_id, True)]
    assert changes == [("amount", "12000.00", "9000.00", "le montant c'est 9000 euros", request_id)]
    assert questions_asked(applicant.replies, call) == ["amount"]
    assert_no_prompt_three_times(applicant.replies)


def test_two_fields_one_of_them_optional_and_i_dont_know_leaves_it_to_specify(live_servers):
    call, log = load_call(), []
    reference = completed_pre_application(live_servers, log)
    comment = "Le budget total et la date de démarrage sont-ils toujours à jour ?"
    request_id = reviewer_asks(live_servers, reference, ["total_budget", "start_date"], comment)
    applicant, told = resume(live_servers, reference, log)
    assert comment in told and "la date de démarrage" in told and "le budget total du projet" in told
    assert questions_asked([told], call) == ["start_date"]  # optional, yet asked: staff asked for it
    reply = applicant.say("je ne sais pas")
    assert "à préciser" in reply and questions_asked([reply], call) == ["total_budget"]
    summary = applicant.say("le budget total est de 45 000 €")
    assert "récapitulatif" in summary and "45 000 €" in summary and "Date de démarrage prévue : à préciser" in summary
    done = applicant.say("oui")
    assert "corrections sont enregistrées" in done and reference in done
    write_transcript("budget et date de démarrage (« je ne sais pas »)", log)

    draft, changes, requests = stored(live_servers, reference)
    assert draft["total_budget"] == 45000 and draft["start_date"] is None and draft["status"] == "in_review"
    assert draft["amount"] == 12000 and requests == [(request_id, True)]
    assert changes == [("start_date", START_DATE, None, "je ne sais pas", request_id),
                       ("total_budget", "40000.00", "45000.00", "le budget total est de 45 000 €", request_id)]
    assert questions_asked(applicant.replies, call) == ["start_date", "total_budget"]
    assert_no_prompt_three_times(applicant.replies)
