"""Plays the end-to-end conversations of tests/e2e/*.yml over the REST webhook and checks the outcome.

A conversation is a name and a list of steps. A step sends one message, either typed by the
applicant (``user:``, never a training example: see tests/test_training_overlap.py) or a click on a
button the assistant has just offered (``click:`` the button's title; its payload is sent), then
checks what the applicant sees and what is stored:

- ``asks: FIELD`` / ``not_asks: FIELD``: the reply contains (or not) the question of that field,
  ``bot.forms.prompts.question`` (the same texts for both forms);
- ``says: [...]`` / ``not_says: [...]``: substrings of the reply; an item that is itself a list is
  satisfied by any of its members. Texts are compared after folding accents and case and
  normalising spaces (no-break spaces too) and apostrophes; a number never matches inside another
  number ("5 000" is not found in "15 000");
- ``buttons: [...]``: titles of buttons the reply offers;
- ``verdict``, ``failing``, ``criteria``, ``missing``: the verdict card (the message whose
  ``custom.type`` is ``verdict``, see docs/conversation.md): its verdict, the exact set of criteria
  that fail, the status of named criteria, the answers it says are missing;
- ``stored: {column: value}`` / ``no_draft: true``: the pre-application draft in the database of
  the servers (found by the reference shown to the applicant, else by the conversation);
- ``conversation: NAME``: from this step on, talk as another visitor (a new conversation);
- ``times: N``: the typed message is sent repeated N times in one message (very long input).

``{reference}`` in a typed message or in ``says`` is the last draft reference (``ESS-2026-0042``) the assistant showed;
``{code}`` in a typed message is the 6-digit code of the newest mail the servers sent (resume);
``{next_year}`` in a typed message, in ``says`` or in a ``stored`` text is the year after today's, for a start
date that stays ahead whenever the conversation is played (a fixed year is refused a year after it passed).
Every turn, whatever the steps say, must get an HTTP 200 and a non-empty reply in French that
neither leaks a placeholder nor echoes HTML, and no reply may be the same three turns in a row.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import yaml

E2E_DIR = Path(__file__).resolve().parent / "e2e"
STEP_KEYS = {
    "user", "click", "conversation", "asks", "not_asks", "says", "not_says", "buttons", "verdict", "failing",
    "criteria", "missing", "stored", "no_draft", "times",
}
VERDICTS = {"eligible", "eligible_with_conditions", "ineligible", "incomplete"}
FRENCH_WORDS = re.compile(r"\b(je|vous|votre|vos|pour|les|des|une|est|pas|peut|projet|et|de|la|le|du|quel|quelle)\b",
                          re.IGNORECASE)
NEVER_SHOWN = ("a_completer", "<script", "traceback", "none", "nan €")
REFERENCE = re.compile(r"(?<!exemple )(?<!exemple : )\bESS-\d{4}-\d{4,6}\b")  # not the example given
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


def fold(text: Any) -> str:
    """Lower case, no accents, typographic apostrophes made plain, every kind of space made one space."""
    text = unicodedata.normalize("NFKD", str(text)).lower().translate(_QUOTES)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def contains(text: str, expected: Any) -> bool:
    """Whether ``expected`` appears in ``text`` (both folded); a number is not matched inside a longer one."""
    needle = fold(expected)
    pattern = re.escape(needle)
    if needle[:1].isdigit():
        pattern = r"(?<!\d)" + pattern
    if needle[-1:].isdigit():
        pattern += r"(?!\d| \d{3}(?!\d))"
    return re.search(pattern, fold(text)) is not None


def expand(text: Any, reference: str | None = None) -> str:
    """``text`` with ``{reference}`` (when one was shown) and ``{next_year}`` replaced."""
    text = str(text).replace("{next_year}", str(dt.date.today().year + 1))
    return text.replace("{reference}", reference) if reference else text


def load_conversations(directory: Path = E2E_DIR) -> list[dict[str, Any]]:
    """Every conversation of the directory, in file order, each with its ``file``."""
    conversations = []
    for path in sorted(directory.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            conversations.append({**conversation, "file": path.name})
    return conversations


def problems(conversations: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the conversation files themselves (unknown keys, missing message, duplicate names)."""
    found, names = [], set()
    for conv in conversations:
        name = conv.get("name")
        if not name or name in names:
            found.append(f"{conv['file']}: nom absent ou en double : {name!r}")
        names.add(name)
        if set(conv) - {"name", "steps", "file"} or not conv.get("steps"):
            found.append(f"{name}: clés inconnues ou aucune étape")
        for i, step in enumerate(conv.get("steps") or [], 1):
            if set(step) - STEP_KEYS or ("user" in step) == ("click" in step):
                found.append(f"{name}, étape {i}: clés {sorted(step)} (une seule de user/click)")
            if "verdict" in step and step["verdict"] not in VERDICTS:
                found.append(f"{name}, étape {i}: verdict inconnu {step['verdict']!r}")
    return found


def question_text(field: str) -> str:
    from bot.call.facts import get_call
    from bot.forms.prompts import question

    return question(field, get_call()).text


class ConversationFailed(AssertionError):
    pass


class Player:
    """One conversation against the live servers; ``transcript`` keeps what was said."""

    def __init__(self, servers, name: str) -> None:
        self.servers = servers
        self.base = f"e2e-{uuid.uuid4().hex[:10]}"
        self.sender = self.base
        self.transcript: list[str] = [f"# {name} ({self.base})"]
        self.replies: list[str] = []
        self.last_messages: list[dict[str, Any]] = []
        self.reference: str | None = None

    def fail(self, message: str) -> None:
        raise ConversationFailed(message)

    def play(self, steps: list[dict[str, Any]]) -> None:
        for number, step in enumerate(steps, 1):
            try:
                self.play_step(step)
            except ConversationFailed as exc:
                raise ConversationFailed(f"étape {number} : {exc}\n\n--- transcription ---\n"
                                         + "\n".join(self.transcript)) from None

    def play_step(self, step: dict[str, Any]) -> None:
        if "conversation" in step:
            self.sender = f"{self.base}-{step['conversation']}"
            self.transcript.append(f"=== nouvelle conversation ({step['conversation']}) ===")
            self.replies, self.last_messages = [], []
        if "click" in step:
            message = self.button_payload(step["click"])
            self.transcript.append(f"> [clic « {step['click']} »] {message}")
        else:
            message = expand(step["user"], self.reference) * step.get("times", 1)
            if "{code}" in message:  # the resume code, read in the mail the servers wrote to their outbox
                message = message.replace("{code}", self.servers.latest_code())
            self.transcript.append(f"> {message if len(message) < 300 else message[:300] + f'… ({len(message)} car.)'}")
        self.send(message)
        reply = "\n".join(m.get("text") or "" for m in self.last_messages)
        self.check_reply(step, reply)
        self.check_verdict(step)
        if "stored" in step or "no_draft" in step:
            self.check_draft(step)

    def button_payload(self, title: str) -> str:
        offered = [b for m in self.last_messages for b in m.get("buttons") or []]
        offered += [b for m in self.last_messages for b in (m.get("custom") or {}).get("buttons") or []]
        for button in offered:
            if fold(button.get("title", "")) == fold(title):
                return button["payload"]
        self.fail(f"bouton « {title} » non proposé (proposés : {[b.get('title') for b in offered]})")

    def send(self, message: str) -> None:
        status, messages = self.servers.send(self.sender, message)
        if status != 200 or not isinstance(messages, list):
            self.fail(f"HTTP {status} : {str(messages)[:300]}")
        self.last_messages = messages
        for m in messages:
            buttons = [b.get("title") for b in m.get("buttons") or []]
            custom = m.get("custom")
            line = m.get("text") or (f"[custom {custom.get('type')}: {custom.get('verdict')}]" if custom else repr(m))
            self.transcript.append("< " + line.replace("\n", "\n  ") + (f"  {buttons}" if buttons else ""))
        texts = [m["text"] for m in messages if m.get("text")]
        reply = "\n".join(texts)
        if not texts or not FRENCH_WORDS.search(reply):
            self.fail("pas de réponse en français")
        leaks = [word for word in NEVER_SHOWN if re.search(rf"(?<![\w<]){re.escape(word)}(?!\w)", fold(reply))]
        if leaks:
            self.fail(f"la réponse montre {leaks}")
        found = REFERENCE.findall(reply)
        if found:
            self.reference = found[-1]
        self.replies.append(fold(reply))
        if len(self.replies) >= 3 and len(set(self.replies[-3:])) == 1:
            self.fail("la même réponse trois tours de suite")

    def check_reply(self, step: dict[str, Any], reply: str) -> None:
        if "asks" in step and not contains(reply, question_text(step["asks"])):
            self.fail(f"la question « {step['asks']} » n'est pas posée")
        if "not_asks" in step and contains(reply, question_text(step["not_asks"])):
            self.fail(f"la question « {step['not_asks']} » est posée")
        for expected in step.get("says") or []:
            options = expected if isinstance(expected, list) else [expected]
            options = [expand(o, self.reference) for o in options]
            if not any(contains(reply, option) for option in options):
                self.fail(f"la réponse ne dit pas {' ou '.join(repr(o) for o in options)}")
        for unwanted in step.get("not_says") or []:
            if contains(reply, unwanted):
                self.fail(f"la réponse dit {unwanted!r}")
        titles = [fold(b.get("title", "")) for m in self.last_messages for b in m.get("buttons") or []]
        titles += [fold(b.get("title", "")) for m in self.last_messages
                   for b in (m.get("custom") or {}).get("buttons") or []]
        for title in step.get("buttons") or []:
            if fold(title) not in titles:
                self.fail(f"bouton « {title} » absent (boutons : {titles})")

    def check_verdict(self, step: dict[str, Any]) -> None:
        if not {"verdict", "failing", "criteria", "missing"} & set(step):
            return
        cards = [m["custom"] for m in self.last_messages
                 if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "verdict"]
        if not cards:
            self.fail("pas de carte de verdict (message custom de type « verdict »)")
        card = cards[-1]
        statuses = {c.get("criterion"): c.get("status") for c in card.get("criteria") or []}
        if "verdict" in step and card.get("verdict") != step["verdict"]:
            self.fail(f"verdict {card.get('verdict')!r}, attendu {step['verdict']!r} (critères : {statuses})")
        if "failing" in step:
            failing = {key for key, status in statuses.items() if status == "fail"}
            if failing != set(step["failing"]):
                self.fail(f"critères non conformes {sorted(failing)}, attendus {sorted(step['failing'])}")
        for criterion, status in (step.get("criteria") or {}).items():
            if statuses.get(criterion) != status:
                self.fail(f"critère {criterion} : {statuses.get(criterion)!r}, attendu {status!r}")
        if "missing" in step and not set(step["missing"]) <= set(card.get("missing") or []):
            self.fail(f"réponses manquantes {card.get('missing')}, attendues {step['missing']}")

    def draft(self) -> dict[str, Any] | None:
        from bot.db.drafts import draft_to_dict, get_by_conversation, get_by_reference
        from bot.db.session import session_scope

        with session_scope(self.servers.env["DATABASE_URL"]) as session:
            found = get_by_reference(session, self.reference) if self.reference else None
            found = found or get_by_conversation(session, self.base)
            return draft_to_dict(found) if found is not None else None

    def check_draft(self, step: dict[str, Any]) -> None:
        draft = self.draft()
        self.transcript.append(f"  [base : {draft}]")
        if step.get("no_draft"):
            if draft is not None:
                self.fail(f"un dossier est enregistré : {draft.get('reference')}")
            return
        if draft is None:
            self.fail("aucun dossier enregistré")
        for column, expected in (step.get("stored") or {}).items():
            expected = expand(expected) if isinstance(expected, str) else expected
            actual = draft.get(column)
            same = (actual is expected if expected is None or isinstance(expected, bool)
                    else actual is not None and not isinstance(actual, bool) and float(actual) == float(expected)
                    if isinstance(expected, (int, float)) else actual == expected)
            if not same:
                self.fail(f"en base, {column} = {actual!r}, attendu {expected!r}")
