"""Shared fixtures: trackers and dispatchers for action tests, live servers for REST tests."""
from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.servers import LiveServers


_CLOCK = itertools.count(1_700_000_000)  # each test message gets its own timestamp, as in Rasa


@pytest.fixture
def make_tracker():
    """Build a fresh Tracker for one test (never a shared module-level tracker)."""

    def _make(
        slots: Optional[Dict[str, Any]] = None,
        intent: str = "inform",
        entities: Optional[List[Dict[str, Any]]] = None,
        text: str = "",
        active_loop: Optional[str] = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        }
        return Tracker(
            sender_id=sender_id,
            slots=dict(slots or {}),
            latest_message=latest_message,
            events=([{"event": "active_loop", "name": active_loop}] if active_loop else []) + [
                {"event": "user", "text": text, "parse_data": latest_message, "timestamp": next(_CLOCK)}],
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return _make


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def live_servers():
    """The action server and Rasa, started from models/ess.tar.gz on free ports."""
    servers = LiveServers()
    servers.start()
    yield servers
    servers.stop()
