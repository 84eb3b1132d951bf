"""The state one run of a form validator works on (:class:`Turn`), and the bookkeeping slots the forms share."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

LAST_READ = "last_read"  # id of the last user message read, so that a message is read once
PROMPTED = "prompted_for"  # the message after which the validator already said what to answer
FAILURES = "field_failures"  # field -> answers not understood in a row
DONT_KNOW = "dont_know_count"  # field -> "je ne sais pas" in a row
SKIPPED = "skipped_fields"  # fields left "à préciser"
STOPPED = "form_stopped"  # the applicant stopped the form
DELETE_ASKED = "delete_asked"  # the applicant asked, in the middle of a form, to delete their data
RESUME_ASKED = "resume_asked"  # the pre-application opened on a request to resume a draft: the resume form follows


class Turn:
    """The state a validator run works on: slot values and bookkeeping, with the events to return."""

    def __init__(self, tracker: Tracker, keys: Sequence[str]) -> None:
        self.values: dict[str, Any] = {key: tracker.get_slot(key) for key in keys}
        self.failures: dict[str, int] = dict(tracker.get_slot(FAILURES) or {})
        self.dont_know: dict[str, int] = dict(tracker.get_slot(DONT_KNOW) or {})
        self.skipped: list[str] = list(tracker.get_slot(SKIPPED) or [])
        self.changed: dict[str, Any] = {}
        self.prompted = False
        self.stopped = False

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.changed[key] = value
        if key in self.skipped and value is not None:
            self.skipped.remove(key)

    def reopen(self, key: str) -> None:
        """The field is to be asked again: no longer "à préciser", counters reset."""
        if key in self.skipped:
            self.skipped.remove(key)
        self.failures.pop(key, None)
        self.dont_know.pop(key, None)

    def skip(self, key: str) -> None:
        if key not in self.skipped:
            self.skipped.append(key)

    def events(self) -> list[EventType]:
        return [SlotSet(k, v) for k, v in self.changed.items()] + [
            SlotSet(FAILURES, self.failures), SlotSet(DONT_KNOW, self.dont_know), SlotSet(SKIPPED, self.skipped)]
