"""Rasa with two workers and its lock store in the real Redis (as `make run` does with REDIS_URL)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import LiveServers
from tests.test_rest import assert_polite_french, new_sender, texts

pytestmark = pytest.mark.rest

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture(scope="module")
def redis_servers():
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL non défini : Redis non testé")
    servers = LiveServers(env={"REDIS_URL": REDIS_URL, "SANIC_WORKERS": "2"})
    servers.start()
    yield servers
    servers.stop()


def test_two_workers_keep_each_conversation_consistent(redis_servers):
    """Concurrent conversations, each with its own questions, through two Rasa workers."""
    def conversation(_):
        sender = new_sender()
        replies = []
        for message in ("bonjour", "combien on peut demander ?", "c'est quoi l'ancrage territorial ?"):
            status, messages = redis_servers.send(sender, message)
            assert_polite_french(status, messages)
            replies.append(texts(messages))
        return replies

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(conversation, range(6)))
    for greeting, amount, criterion in results:
        assert "assistant" in greeting and "15 000 €" in amount and "Ancrage territorial" in criterion
    log = (redis_servers.logdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
