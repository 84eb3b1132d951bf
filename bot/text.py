"""Cleaning of what users type, before it reaches the assistant."""
from __future__ import annotations

import unicodedata
from typing import Any

MAX_MESSAGE_CHARS = 2000


def clean_user_text(value: Any) -> str:
    """A safe text message: never None, no control characters, bounded length.

    A leading "/" is removed: Rasa would read "/restart" or "/intent{...}" as a
    command, and a person typing on the website must not be able to inject one
    (the website's buttons send plain text).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.strip().lstrip("/").strip()
    return text[:MAX_MESSAGE_CHARS]
