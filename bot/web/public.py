"""The applicants' side of the website: home page with the chat, privacy notice, chat API.

``POST /api/chat`` relays one message to Rasa's REST webhook and returns the bot's
answers as ``{"messages": [{"text", "buttons": [{"title", "payload"}], "image"?, "links"?}]}``.
A verdict card (a ``custom`` payload of type ``"verdict"``, see :mod:`bot.eligibility.card`) becomes
``{"card": {...}}``, checked by :func:`bot.eligibility.card.clean_card` and left out if malformed; it
replaces the plain-text verdict sent just before it in the same turn (the widget shows the card).
It is exempt from the CSRF token (it is called by ``chat.js`` with ``fetch``), and
protected instead by requiring ``Content-Type: application/json`` (a cross-site page
cannot send that without a CORS preflight, which we never grant) and, when the browser
sends one, an ``Origin`` equal to our own host.

Input rules: ``sender`` is 8 to 64 characters among ``A-Z a-z 0-9 _ -``; ``message`` is a
text of at most 2,000 characters (surrounding spaces not counted), cleaned by
:func:`bot.nlp.text.clean_user_text`, not empty. Anything else is refused with 400 and a
French ``{"error": ...}``; a longer message is refused, never silently truncated. Over the rate limits
(per client address and per sender), 429 with ``Retry-After`` (see :mod:`bot.web.chat_limits`).
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from bot.call.facts import get_call
from bot.eligibility.card import CARD_TYPE, clean_card
from bot.faq.answers import euros, percent
from bot.nlp.text import MAX_MESSAGE_CHARS, clean_user_text
from bot.web import csrf
from bot.web.chat_limits import limit_chat

bp = Blueprint("public", __name__, static_folder="static", static_url_path="/static",
               template_folder="templates")

SENDER_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNAVAILABLE = ("L'assistant est momentanément indisponible. Votre message n'a pas été perdu : "
               "réessayez dans quelques instants.")
# Rasa's REST channel answers an empty list when handling the message failed (an error in an action, a conversation
# lock not obtained in time): the applicant is told to send it again rather than seeing nothing.
NO_ANSWER = ("L'assistant n'a pas pu répondre à ce message. Renvoyez-le dans quelques instants : "
             "les réponses que vous avez déjà données sont conservées.")
WELCOME = {
    "text": ("Bonjour ! Je suis l'assistant de l'appel à projets ESS du Département du Val-de-Marne. "
             "Posez-moi votre question avec vos mots, ou choisissez un sujet :"),
    "buttons": [
        {"title": "Qui peut candidater ?", "payload": "Qui peut candidater ?"},
        {"title": "Combien peut-on demander ?", "payload": "Combien peut-on demander ?"},
        {"title": "Mon projet est-il éligible ?", "payload": "Est-ce que mon projet est éligible ?"},
    ],
}


@bp.route("/")
def index() -> str:
    call = get_call()
    amounts = call.amounts
    return render_template(
        "public/index.html",
        call=call,
        amount_min=euros(amounts.min),
        amount_max=euros(amounts.max),
        max_share=percent(amounts.max_share_of_budget_percent),
        next_events=_as_list(call.calendar.next_edition.events),
        welcome=WELCOME,
        max_chars=MAX_MESSAGE_CHARS,
    )


@bp.route("/confidentialite")
def privacy() -> str:
    return render_template("public/privacy.html", call=get_call())


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


def _validate(body: Any) -> tuple[str, str, None] | tuple[None, None, str]:
    """(sender, message, None) or (None, None, French error)."""
    if not isinstance(body, dict):
        return None, None, "La requête doit être un objet JSON avec « sender » et « message »."
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER_RE.fullmatch(sender):
        return None, None, ("Identifiant de conversation invalide : 8 à 64 caractères parmi les lettres "
                            "sans accent, les chiffres, « _ » et « - ».")
    if not isinstance(message, str):
        return None, None, "Le message doit être un texte."
    if len(message.strip()) > MAX_MESSAGE_CHARS:
        limit = f"{MAX_MESSAGE_CHARS:,}".replace(",", " ")
        return None, None, (f"Votre message est trop long : {limit} caractères au plus. "
                            "Raccourcissez-le ou envoyez-le en plusieurs fois.")
    text = clean_user_text(message)
    if not text:
        return None, None, "Le message est vide : écrivez votre question avant de l'envoyer."
    return sender, text, None


def _card(item: Any) -> dict[str, Any] | None:
    """The verdict card of one Rasa REST message, checked; None when there is none or it is malformed."""
    custom = item.get("custom") if isinstance(item, dict) else None
    if not isinstance(custom, dict) or custom.get("type") != CARD_TYPE:
        return None
    try:
        return clean_card(custom)
    except ValueError as exc:
        current_app.logger.warning("Carte de verdict mal formée, ignorée : %s", exc)
        return None


def _is_plain_text(message: dict[str, Any]) -> bool:
    return bool(message.get("text")) and not (message.get("image") or message.get("links") or message.get("card"))


def _messages(answer: list[Any]) -> list[dict[str, Any]]:
    """The widget's messages for one turn; a verdict card replaces the plain-text message just before it."""
    messages: list[dict[str, Any]] = []
    for item in answer:
        card = _card(item)
        if card is not None:
            if messages and _is_plain_text(messages[-1]):
                messages.pop()
            messages.append({"card": card})
            continue
        message = _message(item)
        if message is not None:
            messages.append(message)
    return messages


def _message(item: Any) -> dict[str, Any] | None:
    """One Rasa REST message reduced to what the widget shows; None when there is nothing to show."""
    if not isinstance(item, dict):
        return None
    out: dict[str, Any] = {"text": item["text"] if isinstance(item.get("text"), str) else ""}
    out["buttons"] = [
        {"title": b["title"], "payload": b["payload"]}
        for b in item.get("buttons") or []
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
    ]
    if isinstance(item.get("image"), str):
        out["image"] = item["image"]
    custom = item.get("custom")
    links = custom.get("links") if isinstance(custom, dict) else None
    if isinstance(links, list):
        out["links"] = [
            {"title": link["title"], "url": link["url"]}
            for link in links
            if isinstance(link, dict) and isinstance(link.get("title"), str) and isinstance(link.get("url"), str)
        ]
    if not (out["text"] or out["buttons"] or out.get("image") or out.get("links")):
        return None
    return out


@bp.route("/api/chat", methods=["POST"])
@csrf.exempt
@limit_chat  # 429 + Retry-After over the per-address and per-sender limits (bot.web.chat_limits)
def chat() -> ResponseReturnValue:
    if request.mimetype != "application/json":
        return _error("Type de contenu non accepté : envoyez du JSON (Content-Type: application/json).", 415)
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin):
        return _error("Origine non autorisée.", 403)
    sender, text, problem = _validate(request.get_json(silent=True))
    if problem:
        return _error(problem, 400)
    url = f"{current_app.config['RASA_URL'].rstrip('/')}/webhooks/rest/webhook"
    try:
        # The client's address goes with the message: the resume actions count failed tries per address.
        response = requests.post(url, json={"sender": sender, "message": text,
                                            "metadata": {"client": request.remote_addr or ""}},
                                 timeout=current_app.config["RASA_TIMEOUT"])
        response.raise_for_status()
        answer = response.json()
    except requests.RequestException as exc:
        current_app.logger.warning("Rasa injoignable ou en erreur (%s) : %s", url, exc)
        return _error(UNAVAILABLE, 503)
    except ValueError:
        current_app.logger.warning("Réponse de Rasa illisible (pas du JSON) : %s", url)
        return _error(UNAVAILABLE, 503)
    if not isinstance(answer, list):
        current_app.logger.warning("Réponse de Rasa inattendue (liste attendue) : %r", answer)
        return _error(UNAVAILABLE, 503)
    messages = _messages(answer)
    if not messages:
        current_app.logger.warning("Rasa n'a rien répondu à un message (%d élément(s) reçu(s))", len(answer))
        return _error(NO_ANSWER, 503)
    return jsonify({"messages": messages})


@bp.app_errorhandler(413)
def too_large(_exc: Exception) -> ResponseReturnValue:
    if request.path == "/api/chat":
        return _error("Requête trop volumineuse.", 413)
    return render_template("error.html", title="Requête trop volumineuse",
                           message="La requête envoyée est trop volumineuse."), 413
