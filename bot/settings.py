"""The application's settings: one frozen :class:`Settings`, read once from the environment.

Every environment variable the Python code reads is read here and nowhere else. :func:`get_settings` builds the
settings the first time a process asks for them and returns the same object afterwards; :func:`reset_settings`
makes the next call read the environment again (the tests do it around each test). A wrong value raises
:class:`SettingsError`, a ``ValueError`` whose French message names the variable, as soon as the settings are read:
each process reads them when it starts (``python -m bot``, the action server, Rasa's REST channel), so a wrong
setting stops it there instead of failing later.

``var/`` is the instance folder, as in Flask's tutorial (``INSTANCE_PATH`` moves it): the files of this
installation live there, private (see :mod:`bot.instance`): the SQLite database, the web app's secret key, the
security log, the mail outbox and Rasa's endpoints file. The README's "Configuration" table lists every
variable, those read by the shell scripts and the Makefile included.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["DEFAULT_INSTANCE_PATH", "DEFAULT_PUBLIC_BASE_URL", "DEFAULT_WEB_PORT", "Settings", "SettingsError",
           "get_settings", "reset_settings"]

DEFAULT_INSTANCE_PATH = Path(__file__).resolve().parents[1] / "var"
DEFAULT_PUBLIC_BASE_URL = "http://localhost:8000"
DEFAULT_WEB_PORT = 8000


class SettingsError(ValueError):
    """A variable holds a value that cannot be used. The message is in French and names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the application reads from the environment, parsed and checked (the variable is in each comment).

    Build one with :meth:`from_env`; :func:`get_settings` holds the one of this process. Values that may hold a
    password (URLs with credentials, secrets) are left out of ``repr()``.
    """

    # The instance folder and the files in it
    instance_path: Path  # INSTANCE_PATH: var/ of the repository; a relative path is taken from the current folder
    database_url: str | None = field(repr=False)  # DATABASE_URL; None: the SQLite file ess.db of the instance folder
    call_file: Path | None  # CALL_FILE; None: bot/call/call.yml
    # The website
    web_port: int  # WEB_PORT: the port of `python -m bot web` without --port
    web_threads: int  # WEB_THREADS: waitress's threads, at least 2
    web_secret_key: str | None = field(repr=False)  # WEB_SECRET_KEY; None: generated once in the instance folder
    web_https: bool  # WEB_HTTPS: 1, true, oui or yes
    trusted_proxies: int  # TRUSTED_PROXIES: reverse proxies in front of the site
    security_log_file: Path  # SECURITY_LOG_FILE
    rasa_url: str  # RASA_URL, else http://RASA_HOST:RASA_PORT
    rasa_timeout: float  # RASA_TIMEOUT: seconds a chat message waits for Rasa
    chat_limit_per_sender: int  # CHAT_LIMIT_PER_SENDER: messages per window and conversation; 0: no limit
    chat_limit_per_address: int  # CHAT_LIMIT_PER_ADDRESS: messages per window and client address; 0: no limit
    chat_limit_window: int  # CHAT_LIMIT_WINDOW: seconds, at least 1
    chat_max_parallel: int  # CHAT_MAX_PARALLEL: chat requests in progress in all
    chat_max_parallel_per_address: int  # CHAT_MAX_PARALLEL_PER_ADDRESS
    redis_url: str | None = field(repr=False)  # REDIS_URL: Rasa's lock store and the chat counters
    purge_schedule: bool  # PURGE_SCHEDULE: off with 0, false, non, no or off
    staff_password: str | None = field(repr=False)  # STAFF_PASSWORD: for `python -m bot staff create-user`
    # E-mail
    public_base_url: str  # PUBLIC_BASE_URL: http(s), without its final slash
    smtp_url: str = field(repr=False)  # SMTP_URL: "" writes the mails to the outbox (parsed by bot.mail.send)
    smtp_from: str | None  # SMTP_FROM
    smtp_ca_file: str | None  # SMTP_CA_FILE
    mail_outbox_dir: Path  # MAIL_OUTBOX_DIR
    # Rasa and the action server
    action_host: str  # ACTION_HOST: where the action server listens and Rasa reaches it
    action_max_body_bytes: int  # ACTION_MAX_BODY_BYTES
    tracker_max_events: int  # TRACKER_MAX_EVENTS: events of a session after its opening; 0: never a new session
    rasa_fast_validation: bool  # RASA_FAST_VALIDATION: off with 0
    rasa_keepalive_actions: bool  # RASA_KEEPALIVE_ACTIONS: off with 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The settings from ``environ`` (``os.environ`` for :func:`get_settings`); :class:`SettingsError` in French."""
        instance = _path(environ, "INSTANCE_PATH") or DEFAULT_INSTANCE_PATH
        threads = _int(environ, "WEB_THREADS", 8, minimum=2)
        return cls(
            instance_path=instance,
            database_url=_text(environ, "DATABASE_URL") or None,
            call_file=_path(environ, "CALL_FILE"),
            web_port=_int(environ, "WEB_PORT", DEFAULT_WEB_PORT, None, "un numéro de port"),
            web_threads=threads,
            web_secret_key=environ.get("WEB_SECRET_KEY") or None,
            web_https=_text(environ, "WEB_HTTPS").lower() in ("1", "true", "oui", "yes"),
            trusted_proxies=_int(environ, "TRUSTED_PROXIES", 0),
            security_log_file=_path(environ, "SECURITY_LOG_FILE") or instance / "security.log",
            rasa_url=_text(environ, "RASA_URL") or (f"http://{_text(environ, 'RASA_HOST') or '127.0.0.1'}:"
                                                     f"{_text(environ, 'RASA_PORT') or '5005'}"),
            rasa_timeout=_seconds(environ, "RASA_TIMEOUT", 10.0),
            chat_limit_per_sender=_int(environ, "CHAT_LIMIT_PER_SENDER", 20),
            chat_limit_per_address=_int(environ, "CHAT_LIMIT_PER_ADDRESS", 60),
            chat_limit_window=max(1, _int(environ, "CHAT_LIMIT_WINDOW", 60)),
            chat_max_parallel=_int(environ, "CHAT_MAX_PARALLEL", max(1, threads - 2)),
            chat_max_parallel_per_address=_int(environ, "CHAT_MAX_PARALLEL_PER_ADDRESS", 2),
            redis_url=_text(environ, "REDIS_URL") or None,
            purge_schedule=(_text(environ, "PURGE_SCHEDULE") or "1").lower() not in ("0", "false", "non", "no", "off"),
            staff_password=environ.get("STAFF_PASSWORD"),
            public_base_url=_public_base_url(environ, "PUBLIC_BASE_URL"),
            smtp_url=_text(environ, "SMTP_URL"),
            smtp_from=_text(environ, "SMTP_FROM") or None,
            smtp_ca_file=environ.get("SMTP_CA_FILE") or None,
            mail_outbox_dir=_path(environ, "MAIL_OUTBOX_DIR") or instance / "outbox",
            action_host=_text(environ, "ACTION_HOST") or "127.0.0.1",
            action_max_body_bytes=_int(environ, "ACTION_MAX_BODY_BYTES", 8 * 1024 * 1024, minimum=1),
            tracker_max_events=_int(environ, "TRACKER_MAX_EVENTS", 30),
            rasa_fast_validation=_text(environ, "RASA_FAST_VALIDATION") != "0",
            rasa_keepalive_actions=_text(environ, "RASA_KEEPALIVE_ACTIONS") != "0",
        )

    @property
    def database_file(self) -> Path:
        """The SQLite database used without ``DATABASE_URL``."""
        return self.instance_path / "ess.db"

    @property
    def secret_key_file(self) -> Path:
        """The web app's secret key, generated once, used without ``WEB_SECRET_KEY``."""
        return self.instance_path / "web_secret_key"

    @property
    def endpoints_file(self) -> Path:
        """Rasa's endpoints file, written by ``python -m bot.rasa.endpoints`` (it holds the database's URL)."""
        return self.instance_path / "endpoints.yml"


@cache
def get_settings() -> Settings:
    """The settings of this process, read from ``os.environ`` the first time (:class:`SettingsError` in French)."""
    return Settings.from_env(os.environ)


def reset_settings() -> None:
    """Forget the settings read: the next :func:`get_settings` reads the environment again (for the tests)."""
    get_settings.cache_clear()


def _text(environ: Mapping[str, str], name: str) -> str:
    """The variable without surrounding spaces; "" when it is not set."""
    return environ.get(name, "").strip()


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = _text(environ, name)
    return Path(raw).expanduser().absolute() if raw else None


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int | None = 0,
         expected: str = "un nombre entier") -> int:
    """An integer of at least ``minimum`` (None: any, as a port, whose range is checked where it is used, with the
    port given on the command line); ``default`` when the variable is empty or not set.
    """
    raw = _text(environ, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} invalide : « {raw} » ({expected} est attendu).") from None
    if minimum is not None and value < minimum:
        raise SettingsError(f"{name} invalide : {value} (au moins {minimum}).")
    return value


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = _text(environ, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} invalide : « {raw} » (un nombre de secondes est attendu).") from None
    if not 0 < value < float("inf"):
        raise SettingsError(f"{name} invalide : « {raw} » (un nombre de secondes positif est attendu).")
    return value


def _public_base_url(environ: Mapping[str, str], name: str) -> str:
    """An http(s) address without query nor fragment, without its final slash."""
    url = (_text(environ, name) or DEFAULT_PUBLIC_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"{name} invalide : une adresse http(s) est attendue, par exemple "
                            "https://ess.valdemarne.fr")
    return url
