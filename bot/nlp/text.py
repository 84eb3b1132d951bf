"""Cleaning of what users type, before it reaches the assistant."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_MESSAGE_CHARS = 2000

# A greeting, an addressee or a courtesy phrase at the start of a message ("Bonjour à vous,
# j'espère que vous allez bien. Qui peut candidater ?"). Typos and SMS forms included.
_GREETING = r"(?:re[\s-]?)?(?:bonjour|bonjours|bonjoure|bonjoru|bonjr|bjr|bonsoir|bonsoire|bsr|bsoir|salut|slt|hello|helo|hey|coucou|cc|hi)"
_TITLE = r"(?:madame|monsieur|mesdames|messieurs)"
_ADDRESSEE = (
    r"(?:[aà]\s+toutes\s+et\s+[aà]\s+tous|[aà]\s+(?:vous|toi|tous|toutes)|tout\s+le\s+monde"
    r"|(?:l['’]\s*|cher\s+|ch[eè]re\s+)(?:assistant|assistante|bot|chatbot|robot))"
)
_COURTESY = (
    r"(?:j['’]\s*esp[eè]re\s+que\s+(?:vous\s+allez|tu\s+vas)\s+bien|comment\s+(?:allez[\s-]vous|vas[\s-]tu|[cç]a\s+va)"
    r"|[cç]a\s+va|enchant[ée]e?s?)"
)
_END = r"(?![^\W_])[\s,;:.!?…\-–—]*"
# It starts with a greeting or "Madame, Monsieur"; addressees and courtesy phrases only follow them
# ("tout le monde peut candidater ?" keeps its first words).
_OPENING = re.compile(
    rf"^(?:{_GREETING}|{_TITLE}){_END}(?:(?:{_GREETING}|{_TITLE}|{_ADDRESSEE}|{_COURTESY}){_END})*",
    re.IGNORECASE,
)
_FILLER_WORDS = {"je", "j", "tu", "t", "il", "elle", "on", "nous", "vous", "y", "a", "à", "le", "la", "les", "l",
                 "un", "une", "de", "du", "des", "d", "et", "c", "s", "en", "me", "m", "ma", "mon", "qu", "que"}


def _meaningful_words(text: str) -> int:
    return sum(1 for word in re.findall(r"[^\W_]+", text.lower()) if word not in _FILLER_WORDS)


def strip_greeting(text: str) -> str:
    """The question behind a leading greeting: "Bonjour, qui peut candidater ?" -> "qui peut candidater ?".

    The greeting is removed only when at least two meaningful words remain, so that a message that
    is only a greeting ("bonjour à vous", "bonjour, il y a quelqu'un ?") is kept as it is.
    """
    match = _OPENING.match(text)
    if not match or not match.group(0).strip():
        return text
    rest = text[match.end():].strip()
    separated = bool(re.search(r"[,;:.!?…\-–—]", match.group(0)))
    # "Hello Planète Verte" (a name given as an answer) keeps its first word.
    if not separated and "?" not in rest and _meaningful_words(rest) < 3:
        return text
    return rest if _meaningful_words(rest) >= 2 else text


# Characters that can hide a command: Rasa reads a message starting with "/" as "/intent{entities}"
# ("/restart", "/start_application{...}"). Spaces and invisible characters are removed with the slash
# and its look-alikes, repeatedly: "/ / /restart", "\u200b/restart" and "／restart" are plain text too.
_SLASHES = "/\uff0f\u2044\u2215\u29f8\u2571\u27cb\u2f03"  # / ／ ⁄ ∕ ⧸ ╱ ⟋ ⼃
_JOINERS = "\u200c\u200d"  # zero-width (non-)joiners: kept inside a text (emoji, scripts), never in front
_LEADING = re.compile(rf"^[\s{re.escape(_SLASHES + _JOINERS)}]+")


def _visible(ch: str) -> bool:
    """Not a control character (tab and newline kept) nor an invisible format one (zero-width space, BOM,
    bidi overrides); the joiners of emoji sequences are kept.
    """
    return ch in "\n\t" or ch in _JOINERS or unicodedata.category(ch) not in ("Cc", "Cf")


def strip_commands(text: str) -> str:
    """``text`` without the slashes, spaces and greetings it starts with, until none is left: no
    command can survive ("/ / /restart" -> "restart", "bonjour, /restart maintenant" -> "restart maintenant").
    """
    while True:
        stripped = _LEADING.sub("", strip_greeting(_LEADING.sub("", text)))
        if stripped == text:
            return text
        text = stripped


def clean_user_text(value: Any) -> str:
    """A safe text message: never None, no control or invisible characters, no leading command, bounded length.

    Leading slashes are removed (:func:`strip_commands`): Rasa would read "/restart" or "/intent{...}"
    as a command, and a person typing on the website must not be able to inject one (the website's
    buttons send plain text). A leading greeting before a question is removed too
    (:func:`strip_greeting`), so that the question is what gets answered.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = strip_commands("".join(ch for ch in text if _visible(ch)).strip())
    return text[:MAX_MESSAGE_CHARS].rstrip()


MARKUP_REFUSED = "Je ne lis pas le code HTML ni les scripts."


_CODE_BLOCK = re.compile(r"<\s*(script|style)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*>")


def without_markup(text: str) -> str:
    """The text without its HTML: a script or style block goes with what it holds ("<script>alert(1)</script>"
    holds no answer, closed or not, "<script/>" included), any other tag goes and its text stays
    ("<b>40 000 €</b>" -> "40 000 €"). A "<" that starts no tag stays ("< 15 000 €", "<3"), and so does "&".

    Two regular expressions (under a millisecond on the 2,000 characters a message may hold, whatever they
    are) rather than the standard library's ``html.parser``: on
    Python 3.10 it raises on some odd input ("<![ 5000"), takes a tenth of a second on 2,000 characters of
    unclosed tags, and ends a script block at "<script/>", where a browser opens one.
    """
    return _TAG.sub(" ", _CODE_BLOCK.sub(" ", text)).strip()

