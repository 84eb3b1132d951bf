"""Conversations that cross many session restarts (bot/rasa/tracker_store.py, TRACKER_MAX_EVENTS) keep their
outcome: the pre-application conversations of tests/e2e/ replayed with a new session every few turns, over REST,
with the real model, the real action server and a throwaway database."""
from __future__ import annotations

import pytest

from tests.e2e_runner import Player, load_conversations
from tests.servers import LiveServers

CAP = 24  # events per session: a new session about every five turns, in the middle of every form
CONVERSATIONS = [c for c in load_conversations() if c["file"] == "application.yml"]


@pytest.fixture(scope="module")
def capped_servers(tmp_path_factory):
    servers = LiveServers(env={"TRACKER_MAX_EVENTS": str(CAP),
                               "MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox"))})
    servers.start()
    yield servers
    servers.stop()


@pytest.mark.rest
@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.get("name", "?") for c in CONVERSATIONS])
def test_a_conversation_keeps_its_outcome_across_session_restarts(capped_servers, conversation):
    Player(capped_servers, conversation["name"]).play(conversation["steps"])
