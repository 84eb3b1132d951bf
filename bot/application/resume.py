"""Resume a draft with a one-time code sent by e-mail (no Rasa import; ``actions/resume.py`` calls this).

1. :func:`request_code`: reference and e-mail. When they match a draft, nothing is locked and not too many
   codes were sent, a 6-digit code goes to the draft's e-mail (only a salted, slow hash of it is kept). The
   caller says the same thing in every case; the work done is the same too (a code is always drawn and
   hashed, the mail leaves in the background).
2. :func:`check_code`: the code typed, for this conversation. A right code, within 15 minutes, links the
   conversation to the draft (:func:`bot.db.drafts.link_conversation`); a wrong one is counted per reference
   and per client address (:mod:`bot.db.resume`).

Every function takes ``now`` so that tests can freeze time.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from datetime import datetime, timezone

from sqlalchemy.exc import SQLAlchemyError

from bot.application import prompts as text
from bot.application.service import SaveFailed
from bot.db import drafts as repo
from bot.db import resume as guard
from bot.db.session import session_scope
from bot.mail.send import MailError, send_mail

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
HASH_NAME = "pbkdf2_sha256"
HASH_ITERATIONS = 100_000
CODE = re.compile(r"(?<!\d)(\d{3})[\s.-]?(\d{3})(?!\d)")
# Compared against when there is no code to check, so that a check takes the same time either way.
_DUMMY_HASH = f"{HASH_NAME}${HASH_ITERATIONS}${'00' * 16}${'00' * 32}"


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode("ascii"), salt, HASH_ITERATIONS)
    return f"{HASH_NAME}${HASH_ITERATIONS}${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    try:
        name, iterations, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        computed = hashlib.pbkdf2_hmac("sha256", code.encode("ascii"), bytes.fromhex(salt), int(iterations))
    except (ValueError, UnicodeEncodeError):
        return False
    return name == HASH_NAME and hmac.compare_digest(expected, computed)


def parse_code(message: str) -> str | None:
    """'123 456', '123456', 'mon code : 123-456' -> '123456'; None without exactly one 6-digit code."""
    found = CODE.findall(message or "")
    return "".join(found[0]) if len(found) == 1 else None


def _send_quietly(to: str, reference: str, code: str) -> None:
    subject, body = text.resume_code_mail(reference, code)
    try:
        send_mail(to, subject, body)
    except MailError:
        pass  # already logged by bot.mail.send, without the address
    except Exception as exc:  # noqa: BLE001 - a background thread must not die silently
        logger.error("Envoi du code de reprise impossible (%s).", type(exc).__name__)


def request_code(reference: str, email: str, conversation_id: str, client: str | None,
                 now: datetime | None = None) -> None:
    """Send a code to the draft's e-mail if ``reference`` and ``email`` match it and nothing is locked.

    Returns nothing either way, on purpose. :class:`~bot.application.service.SaveFailed` when the database fails.
    """
    now = _now(now)
    code = new_code()
    code_hash = hash_code(code)
    recipient = None
    try:
        with session_scope() as session:
            if guard.client_blocked(session, client, now) or guard.active_lock(session, reference, now):
                return
            draft = repo.get_by_reference(session, reference)
            if draft is None or not repo.email_matches(draft, email):
                guard.record_failure(session, reference, client, "identity", now)
                return
            if guard.codes_sent(session, draft, now) >= guard.MAX_CODES_PER_WINDOW:
                return
            guard.store_code(session, draft, conversation_id, code_hash, now)
            recipient, reference = draft.email, draft.reference
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc
    if recipient:
        threading.Thread(target=_send_quietly, args=(recipient, reference, code), name="resume-code-mail",
                         daemon=True).start()


def check_code(reference: str, code: str, conversation_id: str, client: str | None,
               now: datetime | None = None) -> bool:
    """Whether ``code`` is the valid code sent for this reference to this conversation; if so, the
    conversation is linked to the draft. A locked reference or a blocked address always gets False.
    """
    now = _now(now)
    try:
        with session_scope() as session:
            if guard.client_blocked(session, client, now) or guard.active_lock(session, reference, now):
                code_matches(code, _DUMMY_HASH)
                return False
            draft = repo.get_by_reference(session, reference)
            stored = guard.current_code(session, draft, conversation_id, now) if draft is not None else None
            right = code_matches(code, stored.code_hash if stored is not None else _DUMMY_HASH)
            if draft is None or stored is None or not right:
                guard.record_failure(session, reference, client, "code", now)
                return False
            guard.forget_codes(session, draft)
            repo.link_conversation(session, draft, conversation_id, "resumed", now)
            return True
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc
