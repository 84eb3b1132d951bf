"""Forged requests to a real action server (started in the test, on 127.0.0.1) with another draft's
``draft_reference``, ``email`` or resume slots: the draft is neither read, nor rewritten, nor deleted."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.db import drafts as repo
from bot.db.session import dispose_engines, session_scope, upgrade
from bot.settings import reset_settings
from tests.domain_forms import forms_domain
from tests.security.helpers import FULL, VICTIM_EMAIL, make_draft, outbox_mails
from tests.servers import ROOT, free_port

PIRATE = "pirate@exemple.fr"
RESUME_DOMAIN = forms_domain("resume_form")  # the required slots of domain/application.yml


class ActionServer:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.database = f"sqlite:///{folder / 'ess.db'}"
        self.outbox = folder / "outbox"
        self.log = folder / "actions.log"
        self.process = None

    def start(self, timeout: float = 120.0) -> None:
        upgrade(self.database)
        env = {**os.environ, "DATABASE_URL": self.database, "MAIL_OUTBOX_DIR": str(self.outbox),
               "SANIC_HOST": "127.0.0.1", "RASA_TELEMETRY_ENABLED": "false"}
        env.pop("SMTP_URL", None)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Serveur d'actions non prêt ; voir {self.log}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def call(self, action: str, sender: str, slots: dict, text: str = "", active_loop=None, domain=None):
        """POST /webhook as Rasa would, but with whatever slots an attacker chooses."""
        message = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": [],
                   "metadata": {"client": "203.0.113.66"}}
        tracker = {"sender_id": sender, "slots": slots, "latest_message": message, "paused": False,
                   "events": ([{"event": "active_loop", "name": active_loop}] if active_loop else [])
                   + [{"event": "user", "text": text, "parse_data": message, "timestamp": time.time()}]
                   + [{"event": "slot", "name": k, "value": v} for k, v in slots.items()],
                   "followup_action": None, "active_loop": {"name": active_loop} if active_loop else {},
                   "latest_action_name": "action_listen"}
        body = json.dumps({"next_action": action, "sender_id": sender, "tracker": tracker,
                           "domain": domain or {}, "version": "3.6.21"}).encode("utf-8")
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ActionServer(tmp_path_factory.mktemp("forged-http"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", server.database)  # this process writes the drafts the server will see
        patch.setenv("MAIL_OUTBOX_DIR", str(server.outbox))
        reset_settings()  # this MonkeyPatch is not the one tests/conftest.py wraps: the settings are reset here
        server.start()
        try:
            yield server
        finally:
            server.stop()
            dispose_engines()
    reset_settings()


def draft(reference: str):
    with session_scope() as session:
        found = repo.get_by_reference(session, reference)
        return repo.draft_to_dict(found) if found else None


def said(answer) -> str:
    return " ".join(r.get("text") or "" for r in answer.get("responses", []))


def slots_of(answer) -> dict:
    return {e["name"]: e["value"] for e in answer.get("events", []) if e.get("event") == "slot"}


def test_forged_delete_over_http_leaves_the_draft(server):
    victim = make_draft("http-victim")
    status, answer = server.call("action_delete_data", "http-attacker",
                                 {"draft_reference": victim, "email": VICTIM_EMAIL})
    assert status == 200
    assert draft(victim) is not None and "aucun dossier" in said(answer)


def test_forged_summary_over_http_does_not_rewrite_the_draft(server):
    victim = make_draft("http-victim-2")
    before = draft(victim)
    for action in ("action_application_summary", "action_confirm_application"):
        status, answer = server.call(action, "http-attacker-2",
                                     {**FULL, "email": PIRATE, "org_name": "Piratage", "draft_reference": victim})
        assert status == 200 and slots_of(answer).get("draft_reference") != victim
    assert draft(victim) == before


def test_forged_resume_over_http_reads_nothing(server):
    victim = make_draft("http-victim-3")
    slots = {"resume_reference": victim, "resume_email": VICTIM_EMAIL, "resume_code": "vérifié",
             "draft_reference": victim}
    status, answer = server.call("action_resume_draft", "http-attacker-3", slots)
    assert status == 200 and "org_name" not in slots_of(answer) and said(answer) == ""
    assert not any(e.get("event") == "followup" for e in answer["events"])
    status, answer = server.call("validate_resume_form", "http-attacker-3",
                                 {**slots, "resume_code": "123456", "requested_slot": "resume_code"},
                                 text="123456", active_loop="resume_form", domain=RESUME_DOMAIN)
    assert status == 200 and slots_of(answer)["resume_code"] is None
    assert "Les Jardins" not in json.dumps(answer) and VICTIM_EMAIL not in said(answer)
    # The forged e-mail slot asked for a code: it can only go to the draft's own address, never elsewhere.
    assert all(mail["To"] == VICTIM_EMAIL for mail in outbox_mails(server.outbox))
