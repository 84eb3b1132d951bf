"""Helpers for the security tests: drafts made by a conversation, forged trackers, the mail outbox."""
from __future__ import annotations

import re
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.resume import ActionResumeDraft, ValidateResumeForm
from bot.application.service import save_draft
from bot.call.facts import get_call
from tests.domain_forms import forms_domain

DOMAIN = forms_domain("resume_form")  # the required slots of domain/application.yml
VICTIM_EMAIL = "marie.curie@exemple.fr"
FULL = {"consent": True, "consent_at": "2026-11-25T10:00:00+00:00", "org_name": "Les Jardins de Marie",
        "structure": "association", "siret": "73282932000074", "commune": "Créteil", "contact_name": "Marie Curie",
        "email": VICTIM_EMAIL, "phone": "06 12 34 56 78", "project_title": "Jardin partagé",
        "project_description": "Un jardin partagé", "beneficiaries": "habitants", "jobs": 2,
        "start_date": "2026-09-01", "stage": "startup", "amount": 12000.0, "total_budget": 40000.0,
        "other_department_aid": False}
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)



def make_draft(conversation_id: str, **answers: Any) -> str:
    """A draft created by ``conversation_id`` (as the pre-application saves it); returns its reference."""
    values = {**FULL, **answers}
    return save_draft(conversation_id, values, {}, values["consent_at"], get_call())


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") for m in dispatcher.messages]


def forged(make_tracker, slots: dict[str, Any], sender: str, text: str = "", client: str | None = None,
           active_loop: str | None = None):
    """A Tracker as a forged request would send it: any slots, any sender id, any client metadata."""
    tracker = make_tracker(slots=slots, text=text, sender_id=sender, active_loop=active_loop)
    if client is not None:
        tracker.latest_message["metadata"] = {"client": client}
    return tracker


async def resume_turn(make_tracker, slots: dict[str, Any], requested: str, text: str, sender: str,
                      client: str = "203.0.113.7"):
    """One answer to the resume form; returns (dispatcher, slots after the turn)."""
    dispatcher = CollectingDispatcher()
    tracker = forged(make_tracker, {**slots, "requested_slot": requested}, sender, text, client, "resume_form")
    tracker.add_slots([SlotSet(requested, text)])  # the from_text mapping, as Rasa fills it
    events = await ValidateResumeForm().run(dispatcher, tracker, DOMAIN)
    return dispatcher, {**slots, **slot_values(events)}


async def ask_code(make_tracker, reference: str, email: str, sender: str, client: str = "203.0.113.7"):
    """Reference and e-mail given; returns (dispatcher, slots) once the code is asked."""
    return await resume_turn(make_tracker, {"resume_reference": reference}, "resume_email", email, sender, client)


async def give_code(make_tracker, slots: dict[str, Any], code: str, sender: str, client: str = "203.0.113.7"):
    return await resume_turn(make_tracker, slots, "resume_code", code, sender, client)


def finish_resume(make_tracker, slots: dict[str, Any], sender: str):
    """``action_resume_draft`` after the form; returns (dispatcher, events)."""
    dispatcher = CollectingDispatcher()
    events = ActionResumeDraft().run(dispatcher, forged(make_tracker, slots, sender), {})
    return dispatcher, events


def mails_sent() -> None:
    """Wait for the mails leaving in the background (bot.application.resume sends them in a thread)."""
    for thread in threading.enumerate():
        if thread.name == "resume-code-mail":
            thread.join(timeout=30)


def outbox_mails(folder: Path) -> list[EmailMessage]:
    mails_sent()
    if not folder.exists():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def code_in(mail: EmailMessage) -> str:
    return CODE.search(mail.get_content()).group(1)


def wrong(code: str) -> str:
    """Another 6-digit code."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
