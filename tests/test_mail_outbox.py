"""The mail outbox end to end on SQLite and PostgreSQL (``TEST_DATABASE_URL``) with a real SMTP server (aiosmtpd):
queuing once per key, the worker, an outage, two workers, retries, deletion, the chat hook and the CLI."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select, text

from bot.application.service import delete_drafts
from bot.db import drafts as repo
from bot.db import outbox, staff
from bot.db.deletion import delete_draft
from bot.db.followup_models import MailOutbox
from bot.db.models import utcnow
from bot.db.session import get_engine, session_scope
from bot.db.staff_models import DraftAudit
from bot.mail.compose import answer_template, compose_answer, compose_recorded
from bot.mail.send import outbox_message_id
from bot.mail.worker import queue_recorded, send_due
from tests.security.helpers import FULL
from tests.security.helpers import make_draft as make_reference
from tests.servers import free_port

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "https://ess.valdemarne.test"
SENDER = "appel-ess@valdemarne.test"
EMAIL = FULL["email"]


class Mailbox:
    """A real SMTP server on a free port and its handler: keeps what it receives, refuses ``refused`` (550)."""

    def __init__(self) -> None:
        self.received, self.refused, self.port, self.controller = [], set(), free_port(), None

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    server = Mailbox()
    server.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{server.port}?tls=none")
    yield server
    if server.controller is not None:
        server.stop()


@pytest.fixture
def db(migrated_db_url, monkeypatch, tmp_path):
    """A migrated database as ``DATABASE_URL``, links to ``BASE_URL``, a known sender."""
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setenv("SMTP_FROM", SENDER)
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    return migrated_db_url


def make_draft(conversation_id: str, **answers):  # saved as the chat saves it, verdict reasons included
    reference = make_reference(conversation_id, **answers)
    with session_scope() as session:
        return repo.get_by_reference(session, reference)


def queue(draft, key: str):
    with session_scope() as session:
        return outbox.queue_mail(session, draft, "recorded", compose_recorded(draft), key)


def rows():
    with session_scope() as session:
        return list(session.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def our_logs(caplog) -> str:  # not the test SMTP server's own log (mail.log), which names the addresses
    return "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("bot", "actions", "ess"))


def in_two_threads(target) -> list:
    """Run ``target`` in two threads started together; their results (a thread's exception is raised here)."""
    barrier = threading.Barrier(2)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(lambda: (barrier.wait(), target())[1]) for _ in range(2)]
    return [future.result() for future in futures]


def parts(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_confirmed_pre_application_is_mailed_with_its_reference_values_and_links(db, smtp, caplog,
                                                                                     make_tracker, dispatcher):
    from actions.drafts import ActionConfirmApplication

    slots = {**FULL, "summary_confirmed": True}
    assert queue_recorded("conv-ok") is False  # no draft linked to this conversation yet: nothing, no error
    with caplog.at_level(logging.INFO):
        events = ActionConfirmApplication().run(dispatcher, make_tracker(slots=slots, sender_id="conv-ok"), {})
        reference = next(e["value"] for e in events if e.get("name") == "draft_reference")
        assert reference in dispatcher.messages[-1]["text"]
        ActionConfirmApplication().run(dispatcher, make_tracker(slots=slots, sender_id="conv-ok"), {})  # again
        assert [r.kind for r in rows()] == ["recorded"]  # queued once, in the same database
        assert smtp.received == []  # nothing sent by the action itself
        assert send_due() == {"claimed": 1, "sent": 1, "retry": 0, "failed": 0}
        assert send_due()["claimed"] == 0
    [mail] = smtp.received
    message = mail["message"]
    assert mail["to"] == [EMAIL] and mail["from"] == SENDER and message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == f"Votre pré-candidature {reference} est enregistrée"
    [row] = rows()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None and row.locked_until is None
    assert message["Message-ID"] == outbox_message_id(row, SENDER)
    plain, html = parts(message)
    for body in (plain, html):
        assert reference in body and "Les Jardins de Marie" in body and "12 000 €" in body and "01/09/2026" in body
        assert f"{BASE_URL}/confidentialite" in body and "supprimez mes données" in body
        assert f"reprendre mon dossier {reference}" in body and "code à 6 chiffres" in body
    assert "- Commune : Créteil" in plain and "<table" in html and "http://" not in html
    logged = our_logs(caplog)
    assert "Message n° 1 (recorded) envoyé." in logged and EMAIL not in logged and reference not in logged and "Jardin" not in logged


def test_a_refusal_states_the_failed_criteria_and_is_sent_once(db, smtp):
    draft = make_draft("conv-refus", commune="Paris", amount=20000.0)
    with session_scope() as session:
        reviewer = staff.create_user(session, "agent@valdemarne.test", "correct horse battery")
        composed = compose_answer(draft, "not_admissible", answer_template(draft, "not_admissible"))
        row, created = outbox.queue_mail(session, draft, "not_admissible", composed, "answer:1", created_by=reviewer)
    assert created and row.created_by == reviewer.id and row.kind == "not_admissible"
    assert send_due()["sent"] == 1
    [mail] = smtp.received
    plain, html = parts(mail["message"])
    assert mail["to"] == [EMAIL] and "la réponse du Département" in mail["message"]["Subject"]
    assert "n'est pas recevable" in plain and "- Territoire : Paris (75) n'est pas dans le Val-de-Marne" in plain
    assert "Stade du projet" not in plain  # a criterion met is not a reason for refusing (more: test_mail_compose)
    assert "Territoire : Paris (75) n&#39;est pas dans le Val-de-Marne" in html
    assert f'href="{BASE_URL}/confidentialite"' in html and "supprimez mes données" in html
    with session_scope() as session:
        assert list(session.scalars(select(DraftAudit.action).where(DraftAudit.draft_id == draft.id))) == ["mail_queued"]


def test_the_same_key_queues_one_mail_even_from_two_threads_at_once(db, smtp):
    draft = make_draft("conv-idem")
    first, created = queue(draft, "recorded:idem")
    again, created_again = queue(draft, "recorded:idem")
    assert (created, created_again) == (True, False) and again.id == first.id
    other = make_draft("conv-idem-2")
    assert sorted(in_two_threads(lambda: queue(other, "answer:same-click")[1])) == [False, True]
    assert len(rows()) == 2 and send_due()["sent"] == 2 and send_due()["sent"] == 0 and len(smtp.received) == 2
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(DraftAudit)
                              .where(DraftAudit.action == "mail_queued")) == 2


def test_an_smtp_outage_keeps_the_mail_pending_until_the_server_is_back(db, smtp, caplog):
    draft = make_draft("conv-panne")
    queue(draft, "recorded:panne")
    smtp.stop()
    t0 = utcnow()
    with caplog.at_level(logging.INFO):
        assert send_due(now=t0) == {"claimed": 1, "sent": 0, "retry": 1, "failed": 0}
    [row] = rows()
    assert row.status == "pending" and row.attempts == 1 and row.locked_until is None
    assert row.last_error.startswith("Serveur SMTP injoignable")  # in French, for the staff page
    assert row.next_attempt_at == t0 + timedelta(seconds=30) > t0
    assert "nouvel essai plus tard" in our_logs(caplog) and EMAIL not in our_logs(caplog) + row.last_error
    smtp.start()
    assert send_due(now=t0 + timedelta(seconds=10))["claimed"] == 0 and smtp.received == []  # not due yet
    assert send_due(now=t0 + timedelta(seconds=31))["sent"] == 1
    assert send_due(now=t0 + timedelta(hours=2))["claimed"] == 0 and len(smtp.received) == 1
    [row] = rows()
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None


def test_two_workers_at_once_send_each_mail_exactly_once(db, smtp):
    drafts = [make_draft(f"conv-worker-{n}", email=f"porteur{n}@exemple.fr") for n in range(4)]
    for n in range(24):
        queue(drafts[n % 4], f"test:{n}")
    selected, seen = threading.Barrier(2, timeout=3), threading.local()

    def both_select_first(conn, cursor, statement, parameters, context, executemany) -> None:
        """Both workers choose the same candidates (on SQLite the second waits for the first to commit)."""
        if statement.lstrip().startswith("SELECT mail_outbox.id") and not getattr(seen, "done", False):
            seen.done = True
            try:
                selected.wait()
            except threading.BrokenBarrierError:
                pass

    engine = get_engine(db)
    event.listen(engine, "after_cursor_execute", both_select_first)
    try:
        totals = in_two_threads(lambda: send_due()["sent"])
    finally:
        event.remove(engine, "after_cursor_execute", both_select_first)
    ids = [m["message"]["Message-ID"] for m in smtp.received]
    assert sum(totals) == 24 and len(ids) == 24 and len(set(ids)) == 24
    assert {r.status for r in rows()} == {"sent"} and {r.attempts for r in rows()} == {1}


def test_after_the_last_attempt_the_mail_fails_and_a_retry_sends_it(db, smtp):
    draft = make_draft("conv-echec")
    row, _ = queue(draft, "recorded:echec")
    smtp.stop()
    now = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        counts, now = send_due(now=now), now + timedelta(hours=2)  # then past the longest wait
        assert counts["claimed"] == 1
    [row] = rows()
    assert row.status == "failed" and row.attempts == outbox.MAX_ATTEMPTS and counts["failed"] == 1
    assert send_due(now=now)["claimed"] == 0  # given up: never tried again by itself
    other = make_draft("conv-autre")
    with session_scope() as session:
        reviewer = staff.create_user(session, "agent@valdemarne.test", "correct horse battery")
        with pytest.raises(outbox.OutboxError, match="n'existe pas pour cette pré-candidature"):
            outbox.retry(session, other, row.id, reviewer)
        retried = outbox.retry(session, draft, row.id, reviewer)
        assert retried.status == "pending" and retried.attempts == 0 and retried.next_attempt_at <= utcnow()
        with pytest.raises(outbox.OutboxError, match="déjà en attente"):
            outbox.retry(session, draft, row.id, reviewer)
    smtp.start()
    assert send_due()["sent"] == 1 and len(smtp.received) == 1
    with session_scope() as session:
        with pytest.raises(outbox.OutboxError, match="déjà été envoyé"):
            outbox.retry(session, draft, row.id, reviewer)
        audit = session.scalars(select(DraftAudit).where(DraftAudit.action == "mail_retried")).one()
    assert audit.user_id == reviewer.id and audit.draft_id == draft.id


def test_an_address_refused_by_the_server_fails_at_once(db, smtp):
    draft = make_draft("conv-refusee", email="inconnu@exemple.fr")
    smtp.refused.add("inconnu@exemple.fr")
    queue(draft, "recorded:refusee")
    assert send_due() == {"claimed": 1, "sent": 0, "retry": 0, "failed": 1}
    [row] = rows()
    assert (row.status, row.attempts, smtp.received) == ("failed", 1, [])
    assert "code 550" in row.last_error and "inconnu@exemple.fr" not in row.last_error


def test_deleting_the_draft_deletes_its_mails_not_yet_sent(db, smtp):
    if get_engine(db).dialect.name == "sqlite":
        with get_engine(db).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    kept, by_staff, by_applicant = (make_draft("conv-garde", email="garde@exemple.fr"), make_draft("conv-supprime"),
                                    make_draft("conv-efface"))
    for draft in (kept, by_staff, by_applicant):
        queue(draft, f"recorded:{draft.id}")
    with session_scope() as session:
        delete_draft(session, repo.get_by_reference(session, by_staff.reference))  # bulk DELETE, as staff do
    assert delete_drafts("conv-efface") == 1  # "supprimez mes données" in the chat
    assert [r.draft_id for r in rows()] == [kept.id] and send_due()["sent"] == 1
    assert [m["to"] for m in smtp.received] == [["garde@exemple.fr"]]
    with session_scope() as session:  # the cascade is the database's own (ON DELETE CASCADE)
        session.execute(text("DELETE FROM drafts WHERE id = :id"), {"id": kept.id})
    assert rows() == []


def test_the_command_line_worker_sends_the_due_mails(db, smtp):
    if not db.startswith("sqlite"):
        pytest.skip("the command line is checked on a SQLite file")
    queue(make_draft("conv-cli"), "recorded:cli")
    env = {**os.environ, "DATABASE_URL": db, "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?tls=none",
           "SMTP_FROM": SENDER, "PUBLIC_BASE_URL": BASE_URL}
    command = [sys.executable, "-m", "bot", "mail", "worker", "--once"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 e-mail envoyé" in done.stdout and EMAIL not in done.stdout + done.stderr
    assert [m["to"] for m in smtp.received] == [[EMAIL]] and [r.status for r in rows()] == ["sent"]
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "0 e-mail envoyé" in again.stdout and len(smtp.received) == 1
