"""Sending e-mail: through SMTP when ``SMTP_URL`` is set, else into ``.eml`` files in ``var/outbox/``.

``SMTP_URL`` (read, like every variable, by :mod:`bot.settings`; parsed here):

- ``smtp://user:password@host:587``: STARTTLS, required (the mail is not sent if the server does not offer it);
- ``smtps://user:password@host:465``: TLS from the start;
- ``smtp://host:25?tls=none``: no encryption, for a relay on the same machine or a private network only.

The server's certificate is checked against the system's authorities, or those of ``SMTP_CA_FILE``. The
sender is ``SMTP_FROM``, else the SMTP user when it is an address, else ``ne-pas-repondre@localhost``.
Without ``SMTP_URL``, each message is written to ``outbox/`` in the instance folder ``var/`` (``MAIL_OUTBOX_DIR``
overrides it), the folder being private (0700) and each file readable by its owner only (0600).

A message is plain text, plus an HTML alternative when one is given (``multipart/alternative``). The mails
about a pre-application are queued in the database (:mod:`bot.db.outbox`) and sent by :mod:`bot.mail.worker`
through :func:`send_outbox_mail`, with a Message-ID derived from the outbox row (:func:`outbox_message_id`):
the same row always gives the same Message-ID, so a mail sent again after a crash can be recognised (and
dropped as a duplicate by the receiving side). The one-time resume code is sent at once with :func:`send_mail`.

Logs and errors never contain an address, a subject or a body: only the transport, the error's type and the
SMTP reply code (the server's reply text may quote the address, so it is never kept).
"""
from __future__ import annotations

import hashlib
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
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from bot.settings import get_settings

if TYPE_CHECKING:
    from bot.db.followup_models import MailOutbox

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "ne-pas-repondre@localhost"
SMTP_TIMEOUT_S = 20


class MailError(Exception):
    """The message could not be sent (the text is French and holds no address).

    ``permanent``: sending it again will fail the same way (the server refused the recipient or the content).
    ``unreachable``: the SMTP server could not be reached or dropped the connection (other mails will fail too).
    """

    def __init__(self, message: str, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    user: str | None
    password: str | None


def smtp_settings(url: str | None = None) -> SmtpSettings | None:
    """The SMTP settings from ``url`` (default ``SMTP_URL``); None when mail goes to the outbox."""
    url = (url if url is not None else get_settings().smtp_url).strip()
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
    return get_settings().mail_outbox_dir


def sender_address(settings: SmtpSettings | None = None) -> str:
    configured = get_settings().smtp_from
    if configured:
        return configured
    if settings is not None and settings.user and "@" in settings.user:
        return settings.user
    return DEFAULT_SENDER


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(">").strip() or "localhost"


def build_message(to: str, subject: str, body: str, sender: str, html: str | None = None,
                  message_id: str | None = None) -> EmailMessage:
    """The message: plain text, plus ``html`` as an alternative part when given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = message_id or make_msgid(domain=_domain(sender))
    message.set_content(body, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def outbox_message_id(row: MailOutbox, sender: str | None = None) -> str:
    """The Message-ID of an outbox row: always the same for the same row (its id and idempotency key)."""
    digest = hashlib.sha256(f"{row.id}:{row.idempotency_key}".encode()).hexdigest()[:24]
    return f"<ess-outbox-{row.id}-{digest}@{_domain(sender or sender_address(smtp_settings()))}>"


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=get_settings().smtp_ca_file)


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
                raise MailError("Le serveur SMTP ne propose pas STARTTLS : rien n'est envoyé en clair.",
                                unreachable=True)
            client.starttls(context=_tls_context())
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)


def _write_outbox(message: EmailMessage) -> Path:
    folder = outbox_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        if folder.resolve() == (get_settings().instance_path / "outbox").resolve():  # the instance's own outbox
            folder.chmod(0o700)
        else:  # a folder chosen with MAIL_OUTBOX_DIR is not ours to change
            logger.warning("La boîte d'envoi locale (MAIL_OUTBOX_DIR) est lisible par d'autres comptes.")
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.eml"  # sorts by time
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(message.as_bytes())
    return path


def _settings() -> SmtpSettings | None:
    try:
        return smtp_settings()
    except MailError:
        logger.error("SMTP_URL invalide : aucun message envoyé.")
        raise


def _smtp_error(exc: Exception) -> MailError:
    """The French :class:`MailError` for an SMTP failure: the reply code, never the server's text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return MailError(f"Le serveur SMTP a refusé l'adresse du destinataire (code {', '.join(map(str, codes))}).",
                         permanent=permanent)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(f"Le serveur SMTP a refusé l'identifiant ou le mot de passe (code {exc.smtp_code}).")
    if isinstance(exc, smtplib.SMTPConnectError):
        return MailError(f"Le serveur SMTP a refusé la connexion (code {exc.smtp_code}).", unreachable=True)
    if isinstance(exc, smtplib.SMTPDataError):
        return MailError(f"Le serveur SMTP a refusé le message (code {exc.smtp_code}).",
                         permanent=500 <= exc.smtp_code < 600)
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(f"Le serveur SMTP a refusé l'envoi (code {exc.smtp_code}).")
    if isinstance(exc, ssl.SSLError):
        return MailError(f"Connexion chiffrée (TLS) au serveur SMTP impossible ({type(exc).__name__}).",
                         unreachable=True)
    return MailError(f"Serveur SMTP injoignable ou connexion interrompue ({type(exc).__name__}).", unreachable=True)


def deliver(message: EmailMessage, settings: SmtpSettings | None) -> None:
    """Send a built message by SMTP, or write it to the local outbox without ``SMTP_URL``."""
    if settings is None:
        try:
            _write_outbox(message)
        except OSError as exc:
            logger.error("Écriture du message dans la boîte d'envoi locale impossible (%s).", type(exc).__name__)
            raise MailError("Écriture du message dans la boîte d'envoi locale impossible.") from exc
        logger.info("Message écrit dans la boîte d'envoi locale (SMTP_URL non défini).")
        return
    try:
        _send_smtp(message, settings)
    except MailError:
        logger.error("Envoi SMTP refusé : le serveur ne propose pas STARTTLS.")
        raise
    except (OSError, smtplib.SMTPException) as exc:
        error = _smtp_error(exc)
        logger.error("Envoi SMTP impossible : %s", error)
        raise error from exc
    logger.info("Message envoyé par SMTP.")


def send_mail(to: str, subject: str, body: str, html: str | None = None) -> None:
    """Send one message (UTF-8 text, plus HTML when given). Raises :class:`MailError` when it cannot be sent."""
    settings = _settings()
    deliver(build_message(to, subject, body, sender_address(settings), html=html), settings)


def send_outbox_mail(row: MailOutbox) -> str:
    """Send one outbox row (its stored text and HTML) with its stable Message-ID; returns that Message-ID.

    Raises :class:`MailError` (``permanent``, ``unreachable`` tell the worker what to do next).
    """
    settings = _settings()
    sender = sender_address(settings)
    message_id = outbox_message_id(row, sender)
    deliver(build_message(row.to_address, row.subject, row.body_text, sender, html=row.body_html,
                          message_id=message_id), settings)
    return message_id
