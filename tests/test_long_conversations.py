"""Conversations that cross many session restarts (bot/rasa/tracker_store.py, TRACKER_MAX_EVENTS) keep their
outcome: the pre-application conversations of tests/e2e/ replayed with a new session every few turns, over REST,
with the real model, the real action server and a throwaway database."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e_runner import Player, load_conversations
from tests.servers import LiveServers

CAP = 12  # events per session after its opening (the slots carried over): a new session every two or three turns
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
    player = Player(capped_servers, conversation["name"])
    player.play(conversation["steps"])
    if len(conversation["steps"]) >= 7:  # long enough to cross at least one new session
        assert sessions_started(capped_servers, player.base) >= 2, "\n".join(player.transcript)


def sessions_started(servers, base):
    """How many sessions the conversations of this player started, read in the servers' database."""
    engine = sa.create_engine(servers.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text(
                "SELECT count(*) FROM events WHERE sender_id LIKE :base AND type_name = 'session_started'"),
                {"base": base + "%"})
    finally:
        engine.dispose()
