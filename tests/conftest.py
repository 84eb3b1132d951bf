"""Shared fixtures: trackers and dispatchers for action tests, live servers for REST tests."""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import reset_settings
from tests.servers import LiveServers

_CLOCK = itertools.count(1_700_000_000)  # each test message gets its own timestamp, as in Rasa


@pytest.fixture
def make_tracker():
    """Build a fresh Tracker for one test (never a shared module-level tracker)."""

    def _make(
        slots: dict[str, Any] | None = None,
        intent: str = "inform",
        entities: list[dict[str, Any]] | None = None,
        text: str = "",
        active_loop: str | None = None,
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


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    """Each test reads the environment afresh, as a new process would: bot/settings.py reads it once and keeps it,
    so the settings read are forgotten before and after each test, and whenever the test (or one of its fixtures)
    changes a variable with ``monkeypatch.setenv`` or ``monkeypatch.delenv``."""
    for name in ("setenv", "delenv"):
        change = getattr(monkeypatch, name)

        def change_and_forget(*args, _change=change, **kwargs):
            _change(*args, **kwargs)
            reset_settings()

        setattr(monkeypatch, name, change_and_forget)
    reset_settings()
    yield
    reset_settings()


@pytest.fixture(autouse=True)
def _no_purge_schedule(monkeypatch):
    """The web app's daily purge (bot/application/purge.py) stays off when a test builds the app outside TESTING
    (``python -m bot web`` with waitress stubbed): it would purge the default database. tests/security/
    test_privacy.py turns it back on where it checks it."""
    monkeypatch.setenv("PURGE_SCHEDULE", "0")


@pytest.fixture
def rasa_patch_points(monkeypatch):
    """For a test that builds our REST channel, which installs every speedup of bot/rasa/ in Rasa's classes: each
    of those attributes is put back as it was after the test."""
    from rasa.core.actions.action import RemoteAction
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    for cls, name in ((EndpointConfig, "request"), (RemoteAction, "_validate_action_result"),
                      (SpacyNLP, "load_model"), (Event, "resolve_by_type")):
        monkeypatch.setattr(cls, name, cls.__dict__[name])  # the staticmethod object itself, where it is one


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory):
    """The action server and Rasa, started from models/ess.tar.gz on free ports; the e-mails they send (resume
    codes) are written in a temporary folder, ``live_servers.env["MAIL_OUTBOX_DIR"]``."""
    servers = LiveServers(env={"MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox"))})
    servers.start()
    yield servers
    servers.stop()
