"""Limits on ``POST /api/chat``: messages per minute per client address and per sender, requests in progress.

Over a rate limit the answer is HTTP 429 with ``Retry-After`` and a polite French ``{"error": ...}``, which the
widget shows while keeping the typed text. The client address is ``request.remote_addr``, that is the real
client's once ``TRUSTED_PROXIES`` is set (``ProxyFix`` in the app factory).

Settings (environment, read by :mod:`bot.settings`, or the app config in tests):

- ``CHAT_LIMIT_PER_SENDER`` (20) and ``CHAT_LIMIT_PER_ADDRESS`` (60) messages per ``CHAT_LIMIT_WINDOW``
  seconds (60); 0 turns a limit off. The address limit is higher because several people may share one
  address (an office, a library).
- ``CHAT_MAX_PARALLEL_PER_ADDRESS`` (2) chat requests in progress per address, and ``CHAT_MAX_PARALLEL``
  (``WEB_THREADS`` − 2, so 6 of waitress's 8 threads) in all: the staff area always keeps threads, however
  slow Rasa is. Each chat request waits ``RASA_TIMEOUT`` seconds (10) at most.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec

from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from bot.web.ratelimit import ConcurrencyGuard, make_limiter
from bot.web.security_log import security_logger

if TYPE_CHECKING:
    from bot.settings import Settings

P = ParamSpec("P")
REFUSALS_LOGGED_EVERY = 60.0  # seconds: one log line per refused key and minute, not one per request
_last_logged: dict[str, float] = {}


def config_from(settings: Settings) -> dict[str, Any]:
    """The app config of the chat limits and of the web server's thread count."""
    return {
        "CHAT_LIMIT_PER_SENDER": settings.chat_limit_per_sender,
        "CHAT_LIMIT_PER_ADDRESS": settings.chat_limit_per_address,
        "CHAT_LIMIT_WINDOW": settings.chat_limit_window,
        "CHAT_MAX_PARALLEL_PER_ADDRESS": settings.chat_max_parallel_per_address,
        "CHAT_MAX_PARALLEL": settings.chat_max_parallel,
        "WEB_THREADS": settings.web_threads,
        "RATE_LIMIT_REDIS_URL": settings.redis_url,
    }


def init_app(app: Flask) -> None:
    """Create the limiter and the concurrency guard from ``app.config`` (after the caller's overrides)."""
    config: Mapping[str, Any] = app.config
    app.extensions["ess_chat_limiter"] = config.get("RATE_LIMITER") or make_limiter(
        config.get("RATE_LIMIT_REDIS_URL"), config.get("DATABASE_URL"))
    app.extensions["ess_chat_guard"] = ConcurrencyGuard(config["CHAT_MAX_PARALLEL_PER_ADDRESS"],
                                                        config["CHAT_MAX_PARALLEL"])


def _seconds(n: int) -> str:
    return f"{n} seconde{'s' if n > 1 else ''}"


def too_many_messages(retry_after: int) -> Response:
    message = (f"Vous avez envoyé beaucoup de messages en peu de temps. Merci de patienter {_seconds(retry_after)} "
               "avant de réessayer : votre message n'a pas été perdu.")
    return _refusal(message, 429, retry_after)


def _refusal(message: str, status: int, retry_after: int) -> Response:
    response = jsonify({"error": message, "retry_after": retry_after})
    response.status_code = status
    response.headers["Retry-After"] = str(retry_after)
    return response


def _log_refusal(kind: str, identity: str) -> None:
    key = f"{kind}:{identity}"
    now = time.monotonic()
    if now - _last_logged.get(key, -REFUSALS_LOGGED_EVERY) >= REFUSALS_LOGGED_EVERY:
        _last_logged[key] = now
        if len(_last_logged) > 10_000:
            _last_logged.clear()
        security_logger().warning("Chat : limite dépassée (%s) pour %s", kind, identity)


def _body_sender() -> str:
    body = request.get_json(silent=True)
    sender = body.get("sender") if isinstance(body, dict) else None
    return sender[:64] if isinstance(sender, str) else ""


def limit_chat(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Apply the rate limits (address, then sender) and the concurrency guard around the chat view."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        config = current_app.config
        limiter = current_app.extensions["ess_chat_limiter"]
        address = request.remote_addr or "inconnue"
        window = config["CHAT_LIMIT_WINDOW"]
        for kind, identity, limit in (("adresse", address, config["CHAT_LIMIT_PER_ADDRESS"]),
                                      ("conversation", _body_sender(), config["CHAT_LIMIT_PER_SENDER"])):
            if not identity:
                continue
            decision = limiter.hit(f"chat-{'address' if kind == 'adresse' else 'sender'}", identity, limit, window)
            if not decision.allowed:
                _log_refusal(kind, identity if kind == "adresse" else f"{identity} depuis {address}")
                return too_many_messages(decision.retry_after)
        with current_app.extensions["ess_chat_guard"].enter(address) as refusal:
            if refusal == "address":
                return _refusal("Votre message précédent est encore en cours de traitement. Attendez sa réponse, "
                                "puis réessayez : votre message n'a pas été perdu.", 429, 2)
            if refusal == "total":
                _log_refusal("capacité", "toutes adresses")
                return _refusal("L'assistant reçoit beaucoup de messages en ce moment. Réessayez dans quelques "
                                "secondes : votre message n'a pas été perdu.", 503, 5)
            return view(*args, **kwargs)

    return wrapped
