"""Plays a dialogue through the REST webhook, from the applicant's side, and checks it against the rules engine.

Protocol (docs/conversation.md): the applicant opens (a check request or a rich opening); the question asked in a
turn is recognised by ``bot.forms.prompts.question(field, call).text`` in the bot's messages (no question text, e.g. a help
message: the field asked is unchanged); the applicant answers it with the profile's phrasing. The verdict is read
from the message whose ``custom`` has ``type == "verdict"``, else from the plain text (first line one of
``bot.eligibility.messages._OUTCOMES``, then "- <label> : <status mark>. ..." lines), so the suite also runs on code
that has no verdict card. The expected outcome is ``bot.eligibility.rules.evaluate`` on the texts the applicant typed.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bot.call.facts import CallFacts
from bot.eligibility.messages import _OUTCOMES, STATUS_MARKS
from bot.eligibility.rules import evaluate
from bot.eligibility.verdict import CRITERION_LABELS, Verdict
from bot.forms.prompts import question
from bot.nlp import normalize
from tests.simulation.profiles import FIELDS, Answer, Dialogue

Send = Callable[[str, Any], tuple[int, Any]]
MAX_TURNS = 30
MAX_ASKS = 6  # the same question asked more often than this: the applicant is going round in circles
CHECK_REQUEST = "je voudrais vérifier si mon projet est éligible"
UNEXPECTED_QUESTION = [Answer("je ne sais pas", gives_value=False), Answer("passer", gives_value=False)]
# Failure kinds, for the report.
KINDS = ("http", "verdict", "no_verdict", "asked_again", "not_asked", "repeat", "dead_end", "turn_cap")


@dataclass
class ReadVerdict:
    verdict: str
    statuses: dict[str, str]
    source: str  # "card" or "text"

    @property
    def failing(self) -> set[str]:
        return {criterion for criterion, status in self.statuses.items() if status == "fail"}


@dataclass
class Turn:
    user: str
    bot: list[str]
    asked: list[str]  # fields whose question is in this turn's messages, in order


@dataclass
class Result:
    dialogue: Dialogue
    turns: list[Turn] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    expected: Verdict | None = None
    got: ReadVerdict | None = None
    skipped: bool = False  # a phrasing the rules engine does not read (Dialogue.gaps)

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.failures

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append((kind, detail))


def failing_set(verdict: Verdict) -> set[str]:
    return {reason.criterion for reason in verdict.reasons if reason.status == "fail"}


def read_verdict(messages: list[dict[str, Any]]) -> ReadVerdict | None:
    for message in messages:
        card = message.get("custom")
        if isinstance(card, dict) and card.get("type") == "verdict":
            statuses = {c.get("criterion"): c.get("status") for c in card.get("criteria") or [] if isinstance(c, dict)}
            return ReadVerdict(str(card.get("verdict")), statuses, "card")
    outcomes = {text: key for key, text in _OUTCOMES.items()}
    for message in messages:
        lines = (message.get("text") or "").splitlines()
        if not lines or lines[0].strip() not in outcomes:
            continue
        statuses = {}
        for line in lines[1:]:
            for criterion, label in CRITERION_LABELS.items():
                for status, mark in STATUS_MARKS.items():
                    if line.startswith(f"- {label} : {mark}"):
                        statuses[criterion] = status
        return ReadVerdict(outcomes[lines[0].strip()], statuses, "text")
    return None


def compare(expected: Verdict, got: ReadVerdict) -> str | None:
    """Why the conversation's verdict differs from the CLI's, or None.

    Compared: the verdict, the failing criteria and the criteria met under a condition. The check may stop as soon
    as the legal form fails for certain: then the conversation must say "ineligible"
    with the legal form failing, and may list fewer failing criteria than the CLI (those it never asked about).
    """
    want = failing_set(expected)
    conditions = {r.criterion for r in expected.reasons if r.status == "condition"}
    got_conditions = {criterion for criterion, status in got.statuses.items() if status == "condition"}
    if "legal_form" in want:
        ok = got.verdict == "ineligible" and "legal_form" in got.failing and got.failing <= want
    else:  # the conditions too: "association pas encore créée" read as an association passes where it is a condition
        ok = got.verdict == expected.verdict and got.failing == want and got_conditions == conditions
    if ok:
        return None
    return (f"conversation: {got.verdict} {sorted(got.failing)} conditions {sorted(got_conditions)} ({got.source}); "
            f"CLI on the same texts: {expected.verdict} {sorted(want)} conditions {sorted(conditions)}")


def needed_fields(raw: dict[str, object]) -> list[str]:
    structure = raw.get("structure")
    company = isinstance(structure, str) and normalize.parse_legal_form(structure) == "company"
    return [key for key in FIELDS if key != "esus" or company]


def webhook_sender(url: str, timeout: float = 60.0) -> Send:
    def send(sender: str, message: Any) -> tuple[int, Any]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (OSError, ValueError) as exc:
            return 0, str(exc)
    return send


def _shown(message: dict[str, Any]) -> str:
    card = message.get("custom")
    if isinstance(card, dict):
        criteria = ", ".join(f"{c.get('criterion')}={c.get('status')}" for c in card.get("criteria") or [])
        return f"[carte {card.get('type')}: {card.get('verdict')}; {criteria}]"
    buttons = " | ".join(b.get("title", "") for b in message.get("buttons") or [])
    return (message.get("text") or "") + (f"\n  [boutons : {buttons}]" if buttons else "")


class Player:
    def __init__(self, send: Send, call: CallFacts) -> None:
        self.send = send
        self.call = call
        self.questions = {key: question(key, call).text for key in FIELDS}

    def asked_in(self, texts: list[str]) -> list[str]:
        found = []
        for index, text in enumerate(texts):
            for key, asked in self.questions.items():
                if asked in text:
                    found.append(((index, text.index(asked)), key))
        return [key for _, key in sorted(found)]

    def play(self, dialogue: Dialogue) -> Result:
        if dialogue.gaps:
            return Result(dialogue, skipped=True)
        result = Result(dialogue)
        sender = f"sim-{dialogue.id}-{uuid.uuid4().hex[:8]}"
        answers = {key: list(values) for key, values in dialogue.answers.items()}
        used: dict[str, int] = {}
        raw = dict(dialogue.raw)
        given, seen = set(dialogue.opening_fields), set(dialogue.opening_fields)
        exempt: set[str] = set()
        flagged: set[str] = set()
        asks: Counter = Counter()
        asked: str | None = None
        corrected = nudged = False
        silent = 0
        message = dialogue.opening
        for number in range(1, MAX_TURNS + 1):
            status, body = self.send(sender, message)
            if status != 200 or not isinstance(body, list):
                result.turns.append(Turn(message, [f"HTTP {status}: {str(body)[:300]}"], []))
                result.fail("http", f"turn {number}: HTTP {status}")
                break
            fields = self.asked_in([m.get("text") or "" for m in body])
            result.turns.append(Turn(message, [_shown(m) for m in body], fields))
            if dialogue.check_reasks:
                for key in dict.fromkeys(fields):
                    if key in given and key not in exempt and key not in flagged:
                        flagged.add(key)
                        result.fail("asked_again", f"turn {number}: {key} asked again after it was given")
            seen.update(fields)
            asks.update(fields)
            result.got = read_verdict(body)
            if result.got:
                break
            replies = ["\n".join(t.bot) for t in result.turns[-3:]]
            if len(replies) == 3 and len(set(replies)) == 1:
                result.fail("repeat", f"turn {number}: the same reply three times in a row")
                break
            silent = 0 if fields else silent + 1
            asked = fields[-1] if fields else asked
            if silent >= 3:
                result.fail("dead_end", f"turn {number}: three turns without a question or a verdict")
                break
            if asks[asked] > MAX_ASKS:
                result.fail("dead_end", f"turn {number}: {asked} asked {asks[asked]} times")
                break
            if asked is None:
                if nudged:
                    result.fail("dead_end", f"turn {number}: the check never started")
                    break
                message, nudged = CHECK_REQUEST, True
                continue
            fix = dialogue.correction
            if fix and not corrected and asked in fix.triggers and fix.field in given:
                message, corrected, raw[fix.field] = fix.text, True, fix.raw
                if fix.then is not None:
                    exempt.add(fix.field)
                    answers[fix.field], used[fix.field] = [Answer(fix.then)], 0
                continue
            options = answers.get(asked) or UNEXPECTED_QUESTION
            answer = options[min(used.get(asked, 0), len(options) - 1)]
            used[asked] = used.get(asked, 0) + 1
            if answer.gives_value:
                given.add(asked)
                exempt.discard(asked)
            message = answer.text
        else:
            result.fail("turn_cap", f"no verdict after {MAX_TURNS} turns")
        self._check_outcome(result, raw, seen)
        return result

    def _check_outcome(self, result: Result, raw: dict[str, object], seen: set[str]) -> None:
        result.expected = evaluate(raw, self.call)
        if result.got is None:
            if not result.failures:
                result.fail("no_verdict", "the dialogue ended without a verdict")
            return
        difference = compare(result.expected, result.got)
        if difference:
            result.fail("verdict", difference)
        if result.dialogue.check_all_asked and "legal_form" not in failing_set(result.expected):
            never = [key for key in needed_fields(raw) if key not in seen]
            if never:
                result.fail("not_asked", f"verdict given without asking: {', '.join(never)}")


def play_all(play: Callable[[Any], Any], dialogues: list[Any], threads: int = 3,
             progress: Callable[[Any], None] | None = None) -> list[Any]:
    """``play`` every dialogue, a few at a time; the results in the order of ``dialogues``."""
    def one(dialogue: Any) -> Any:
        result = play(dialogue)
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, dialogues))


def run_all(dialogues: list[Dialogue], send: Send, call: CallFacts, threads: int = 3,
            progress: Callable[[Result], None] | None = None) -> list[Result]:
    """Play every dialogue (a few at a time); results in the order of ``dialogues``."""
    return play_all(Player(send, call).play, dialogues, threads, progress)
