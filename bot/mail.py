"""Sending e-mail: through SMTP when ``SMTP_URL`` is set, else into ``.eml`` files in ``var/outbox/``.

``SMTP_URL``:

- ``smtp://user:password@host:587``: STARTTLS, required (the mail is not sent if the server does not offer it);
- ``smtps://user:password@host:465``: TLS from the start;
- ``smtp://host:25?tls=none``: no encryption, for a relay on the same machine or a private network only.

The server's certificate is checked against the system's authorities, or those of ``SMTP_CA_FILE``. The
sender is ``SMTP_FROM``, else the SMTP user when it is an address, else ``ne-pas-repondre@localhost``.
Without ``SMTP_URL``, each message is written to ``var/outbox/`` (``MAIL_OUTBOX_DIR`` overrides it), the
folder being private (0700) and each file readable by its owner only (0600).

Logs never contain an address, a subject or a body: only the transport and the error's type.
"""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import stat
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTBOX = ROOT / "var" / "outbox"
DEFAULT_SENDER = "ne-pas-repondre@localhost"
SMTP_TIMEOUT_S = 20


class MailError(Exception):
    """The message could not be sent (the text is French and holds no address)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    user: Optional[str]
    password: Optional[str]


def smtp_settings(url: Optional[str] = None) -> Optional[SmtpSettings]:
    """The SMTP settings from ``url`` (default ``SMTP_URL``); None when mail goes to the outbox."""
    url = (url if url is not None else os.environ.get("SMTP_URL", "")).strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("SMTP_URL invalide : attendu smtp://utilisateur:mot-de-passe@hôte:587 ou smtps://…")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "smtps":
        security = "tls"
    else:
        security = "none" if options.get("tls", "").lower() in ("none", "off", "non", "0") else "starttls"
    port = parts.port or (465 if security == "tls" else 587 if security == "starttls" else 25)
    return SmtpSettings(host=parts.hostname, port=port, security=security,
                        user=unquote(parts.username) if parts.username else None,
                        password=unquote(parts.password) if parts.password else None)


def outbox_dir() -> Path:
    return Path(os.environ.get("MAIL_OUTBOX_DIR") or DEFAULT_OUTBOX)


def sender_address(settings: Optional[SmtpSettings] = None) -> str:
    configured = os.environ.get("SMTP_FROM", "").strip()
    if configured:
        return configured
    if settings is not None and settings.user and "@" in settings.user:
        return settings.user
    return DEFAULT_SENDER


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "localhost")
    message.set_content(body, charset="utf-8")
    return message


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=os.environ.get("SMTP_CA_FILE") or None)


def _send_smtp(message: EmailMessage, settings: SmtpSettings) -> None:
    if settings.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT_S,
                                                context=_tls_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
    with client:
        client.ehlo()
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailError("Le serveur SMTP ne propose pas STARTTLS : rien n'est envoyé en clair.")
            client.starttls(context=_tls_context())
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)


def _write_outbox(message: EmailMessage) -> Path:
    folder = outbox_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        if folder.resolve() == DEFAULT_OUTBOX.resolve():
            folder.chmod(0o700)
        else:  # a folder chosen with MAIL_OUTBOX_DIR is not ours to change
            logger.warning("La boîte d'envoi locale (MAIL_OUTBOX_DIR) est lisible par d'autres comptes.")
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.eml"  # sorts by time
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(message.as_bytes())
    return path


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message (UTF-8). Raises :class:`MailError` when it cannot be sent."""
    try:
        settings = smtp_settings()
    except MailError:
        logger.error("SMTP_URL invalide : aucun message envoyé.")
        raise
    message = build_message(to, subject, body, sender_address(settings))
    if settings is None:
        try:
            _write_outbox(message)
        except OSError as exc:
            logger.error("Écriture du message dans la boîte d'envoi locale impossible (%s).", type(exc).__name__)
            raise MailError("Écriture du message impossible.") from exc
        logger.info("Message écrit dans la boîte d'envoi locale (SMTP_URL non défini).")
        return
    try:
        _send_smtp(message, settings)
    except MailError:
        logger.error("Envoi SMTP refusé : le serveur ne propose pas STARTTLS.")
        raise
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        logger.error("Envoi SMTP impossible (%s).", type(exc).__name__)
        raise MailError("Envoi du message impossible.") from exc
    logger.info("Message envoyé par SMTP.")
