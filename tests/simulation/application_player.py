"""Plays a pre-application dialogue through the REST webhook, from the applicant's side.

Protocol (docs/conversation.md, README "Porteurs simulés"): the applicant opens (or runs an eligibility check and
says "oui" after the verdict), consents, and answers each question recognised by its text
(``bot.forms.prompts.question(key, call).text``) with the profile's phrasing. The value a field must take is what
the field's parser reads in the text that gave it, computed when the text is sent (``bot.forms.fields.parse_field``);
the sentence is its expected provenance. At the summary the applicant asks for the dialogue's changes, then
confirms; the reference is read from ``bot.application.prompts.confirmed``'s text. A resume is a second
conversation (reference, the draft's e-mail, then the 6-digit code read from the ``.eml`` file written in the
servers' ``MAIL_OUTBOX_DIR``); a deletion is "supprimez mes données" then "oui". The store is checked afterwards
(``application_checks``). Reused from the eligibility player: the REST client, the verdict reader and ``Turn``.
"""
from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from bot.application import prompts as app_text
from bot.application.service import parse_reference, summary_text
from bot.call.facts import CallFacts
from bot.forms.fields import APPLICATION_FIELDS, FIELDS, parse_field
from bot.forms.prompts import WHAT_TO_CHANGE, question
from bot.nlp.text import clean_user_text
from tests.simulation.application_profiles import AppDialogue, Fix
from tests.simulation.player import Send, Turn, _shown, play_all, read_verdict
from tests.simulation.profiles import Answer

MAX_TURNS = 45  # per conversation
MAX_ASKS = 4  # the same question asked more often: the applicant is going round in circles
FORM_KEYS = ("consent",) + APPLICATION_FIELDS + ("esus",)
RESUME_KEYS = ("resume_reference", "resume_email", "resume_code")
CODE_LINE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
KINDS = ("http", "asked_again", "not_needed", "repeat", "loop", "dead_end", "turn_cap", "confirm", "summary", "resume",
         "code_mail", "export", "provenance", "not_deleted")


@dataclass
class AppResult:
    dialogue: AppDialogue
    turns: list[Turn] = field(default_factory=list)  # the user text starts with the conversation's tag
    failures: list[tuple[str, str]] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    reference: str | None = None
    expected: dict[str, Any] = field(default_factory=dict)  # field -> value the draft must hold
    sources: dict[str, str] = field(default_factory=dict)  # field -> the sentence that gave it
    said: dict[str, list[str]] = field(default_factory=dict)  # field -> what the applicant typed when asked it
    deleted: bool = False  # the assistant said the data were deleted
    skipped: bool = False

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.failures

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append((kind, detail))


@dataclass
class _State:
    answers: dict[str, list[Answer]]
    fixes: list[Fix]
    given: set[str] = field(default_factory=set)
    exempt: set[str] = field(default_factory=set)  # cleared by a change: asked once more
    flagged: set[str] = field(default_factory=set)
    used: Counter = field(default_factory=Counter)
    prefaced: bool = False
    resumed: bool = False
    confirming: bool = False  # the confirmation was just sent at the summary


def read_code(outbox: Path, reference: str, address: str, timeout: float = 20.0) -> str | None:
    """The code of the latest e-mail sent for ``reference`` to ``address`` (the mail leaves in the background)."""
    parser = BytesParser(policy=policy.default)
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(outbox.glob("*.eml"), reverse=True) if outbox.exists() else []:
            mail = parser.parsebytes(path.read_bytes())
            if reference in str(mail["Subject"]) and str(mail["To"]).casefold() == address.casefold():
                found = CODE_LINE.search(mail.get_content())
                if found:
                    return found.group(1)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.25)


class AppPlayer:
    def __init__(self, send: Send, call: CallFacts, outbox: Path | None) -> None:
        self.send, self.call, self.outbox = send, call, outbox
        self.questions = {key: question(key, call).text for key in APPLICATION_FIELDS + ("esus", "consent") + RESUME_KEYS}
        self.summary_head = summary_text({}).splitlines()[0]

    def asked_in(self, texts: list[str]) -> list[str]:
        found = [((i, text.index(asked)), key) for i, text in enumerate(texts)
                 for key, asked in self.questions.items() if asked in text]
        return [key for _, key in sorted(found)]

    # -- one dialogue ------------------------------------------------------------------------------------------
    def play(self, dialogue: AppDialogue) -> AppResult:
        result = AppResult(dialogue, expected={key: None for key in APPLICATION_FIELDS})
        if dialogue.gaps:
            result.skipped = True
            return result
        state = _State({k: list(v) for k, v in dialogue.answers.items()}, list(dialogue.fixes))
        goal = "deleted" if dialogue.delete == "same" else "reference"
        if not self._converse(result, state, "A", dialogue.opening, goal):
            return result
        if dialogue.resume:
            resume = dialogue.resume
            state.fixes = [resume.change] if resume.change else []
            state.given, state.exempt, state.flagged, state.prefaced = set(), set(), set(), False
            goal = "deleted" if dialogue.delete == "resumed" else "reference"
            if self._converse(result, state, "B", resume.request.format(reference=result.reference), goal) and \
                    not state.resumed:
                result.fail("resume", f"B reached '{goal}' without the draft {result.reference} being resumed")
        if dialogue.delete and not result.deleted and not result.failures:
            result.fail("not_deleted", "the assistant never said the data were deleted")
        return result

    def _give(self, result: AppResult, state: _State, key: str, text: str, value_text: str | None = None) -> None:
        """The applicant gives ``key``: the draft must hold what the parser reads, from this sentence."""
        state.given.add(key)
        state.exempt.discard(key)
        if key in result.expected:
            result.expected[key] = parse_field(key, value_text if value_text is not None else text, self.call).value
            result.sources[key] = clean_user_text(text).strip()

    def _converse(self, result: AppResult, state: _State, tag: str, message: str, goal: str) -> bool:
        """One conversation until its goal ("reference" or "deleted"); False when it failed."""
        dialogue = result.dialogue
        sender = f"app-{dialogue.id}-{tag}-{uuid.uuid4().hex[:8]}"
        result.senders.append(sender)
        asks: Counter = Counter()
        asked: str | None = None
        replies: list[str] = []
        silent = 0
        pending: Fix | None = None  # a change prefaced by "non": sent after "que voulez-vous modifier ?"
        for number in range(1, MAX_TURNS + 1):
            status, body = self.send(sender, message)
            if status != 200 or not isinstance(body, list):
                result.turns.append(Turn(f"[{tag}] {message}", [f"HTTP {status}: {str(body)[:300]}"], []))
                result.fail("http", f"{tag} turn {number}: HTTP {status}")
                return False
            texts = [m.get("text") or "" for m in body]
            joined = "\n".join(texts)
            fields = self.asked_in(texts)
            result.turns.append(Turn(f"[{tag}] {message}", [_shown(m) for m in body], fields))
            for key in dict.fromkeys(fields):
                if key in state.given and key not in state.exempt and key not in state.flagged:
                    state.flagged.add(key)
                    result.fail("asked_again", f"{tag} turn {number}: {key} asked again after it was given")
                if not dialogue.needs(key) and key not in state.flagged:
                    state.flagged.add(key)
                    result.fail("not_needed", f"{tag} turn {number}: {key} asked of a {dialogue.profile} profile")
            asks.update(fields)
            replies.append(joined)
            if len(replies) >= 3 and len(set(replies[-3:])) == 1:
                result.fail("repeat", f"{tag} turn {number}: the same reply three times in a row")
                return False
            if replies.count(joined) >= 3:
                result.fail("loop", f"{tag} turn {number}: the same reply for the third time: « {joined[:80]}… »")
                return False
            reference = parse_reference(joined)
            confirming, state.confirming = state.confirming, False
            if confirming and not (reference and app_text.confirmed(reference) in joined):
                first = (texts or [""])[0].splitlines()[0] if texts and texts[0] else "(no text)"
                result.fail("confirm", f"{tag} turn {number}: « {message} » at the summary got « {first[:120]} », "
                                       "not the reference")
                return False
            if app_text.deleted(0) in joined:
                result.fail("not_deleted", f"{tag} turn {number}: the assistant found no draft to delete")
                return False
            if app_text.deleted(1) in joined:
                result.deleted = True
                return True
            if reference and app_text.confirmed(reference) in joined:
                if result.reference and reference != result.reference:
                    result.fail("resume", f"{tag}: confirmed as {reference}, the draft was {result.reference}")
                result.reference = result.reference or reference
                if goal == "reference":
                    return True
                message = dialogue.delete_text
                continue
            if app_text.DELETE_CONFIRMATION.text in joined:
                message = "oui"
                continue
            if result.reference and app_text.resumed(result.reference) in joined:
                state.given = {"consent"} | {k for k, v in result.expected.items() if v is not None}
                state.resumed = True
            if self.summary_head in joined:
                self._check_summary(result, tag, number, joined)
                if pending is not None:  # the summary again instead of "que voulez-vous modifier ?"
                    message, pending = self._send_fix(result, state, pending), None
                else:
                    message, pending = self._at_summary(result, state, goal, dialogue)
                asked, silent = None, 0
                continue
            if pending is not None and WHAT_TO_CHANGE.text in joined:
                message, pending = self._send_fix(result, state, pending), None
                continue
            if read_verdict(body) is not None:
                message = "oui"  # "Voulez-vous préparer votre pré-candidature maintenant ?"
                continue
            silent = 0 if fields else silent + 1
            asked = fields[-1] if fields else asked
            if silent >= 3 or asked is None:
                result.fail("dead_end", f"{tag} turn {number}: no question, no summary, no reference")
                return False
            if asks[asked] > MAX_ASKS:
                result.fail("dead_end", f"{tag} turn {number}: {asked} asked {asks[asked]} times")
                return False
            if asked in RESUME_KEYS:
                message = self._resume_answer(result, asked, tag, number)
                if message is None:
                    return False
                continue
            message = self._answer(result, state, asked)
        result.fail("turn_cap", f"{tag}: goal '{goal}' not reached after {MAX_TURNS} turns")
        return False

    def _answer(self, result: AppResult, state: _State, asked: str) -> str:
        if asked == "consent":
            state.given.add("consent")
            return result.dialogue.consent
        options = state.answers.get(asked) or [Answer("je ne sais pas", gives_value=False)]
        answer = options[min(state.used[asked], len(options) - 1)]
        state.used[asked] += 1
        result.said.setdefault(asked, []).append(answer.text)
        if answer.gives_value:
            self._give(result, state, asked, answer.text)
        return answer.text

    def _at_summary(self, result: AppResult, state: _State, goal: str,
                    dialogue: AppDialogue) -> tuple[str, Fix | None]:
        if state.fixes:
            fix = state.fixes.pop(0)
            if fix.preface and not state.prefaced:
                state.prefaced = True
                return fix.preface, fix
            return self._send_fix(result, state, fix), None
        if goal == "deleted":
            return dialogue.delete_text, None
        state.confirming = True
        return dialogue.confirm, None

    def _send_fix(self, result: AppResult, state: _State, fix: Fix) -> str:
        result.said.setdefault(fix.field, []).append(fix.text)
        if fix.then is not None:  # the field is asked again, then answered
            state.exempt.add(fix.field)
            state.answers[fix.field], state.used[fix.field] = [Answer(fix.then)], 0
        else:
            self._give(result, state, fix.field, fix.text, fix.value_text)
        return fix.text

    def _resume_answer(self, result: AppResult, asked: str, tag: str, number: int) -> str | None:
        resume = result.dialogue.resume
        if asked == "resume_reference":
            return result.reference
        if asked == "resume_email":
            return resume.email
        if self.outbox is None:
            result.fail("code_mail", f"{tag} turn {number}: no outbox folder to read the code from")
            return None
        code = read_code(self.outbox, result.reference or "", resume.email)
        if code is None:
            result.fail("code_mail", f"{tag} turn {number}: no e-mail with a code for {result.reference} in {self.outbox}")
            return None
        return resume.code_style.format(code=code, a=code[:3], b=code[3:])

    def _check_summary(self, result: AppResult, tag: str, number: int, text: str) -> None:
        """Every field with its value as the applicant reads it ("à préciser" when left empty)."""
        for key in APPLICATION_FIELDS:
            if not result.dialogue.needs(key) and result.expected.get(key) is None:
                continue
            line = f"- {FIELDS[key].label} : {FIELDS[key].display(result.expected.get(key))}"
            if line not in text:
                shown = next((x for x in text.splitlines() if x.startswith(f"- {FIELDS[key].label} :")), "(absent)")
                result.fail("summary", f"{tag} turn {number}: expected « {line[2:]} », shown « {shown[2:]} »")


def run_all(dialogues: list[AppDialogue], send: Send, call: CallFacts, outbox: Path | None, threads: int = 3,
            progress: Callable[[AppResult], None] | None = None) -> list[AppResult]:
    """Play every dialogue (a few at a time); results in the order of ``dialogues``."""
    return play_all(AppPlayer(send, call, outbox).play, dialogues, threads, progress)
