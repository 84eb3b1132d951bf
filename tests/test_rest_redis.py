"""Rasa with two workers and its lock store in the real Redis (as `make run` does with REDIS_URL).

Not only do the answers come back: the Rasa process runs two workers, and each message takes and releases its
conversation's ticket lock in Redis (``ess:lock:<sender>:tickets``, bot/rasa/lock_store.py), from both workers —
seen with Redis's MONITOR (the scripts the workers call, and the commands those scripts run), filtered on this
test's own conversations, so another client of the same Redis does not count.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.security.processes import group_pids
from tests.servers import LiveServers
from tests.test_rest import assert_polite_french, new_sender, texts

pytestmark = pytest.mark.rest

REDIS_URL = os.environ.get("TEST_REDIS_URL")
LOCK_PREFIX = "ess:lock:"  # key_prefix "ess" of bot/rasa/endpoints.py, then Rasa's "lock:"
MESSAGES = ("bonjour", "combien on peut demander ?", "c'est quoi l'ancrage territorial ?")


@pytest.fixture(scope="module")
def redis_servers():
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL non défini : Redis non testé")
    servers = LiveServers(env={"REDIS_URL": REDIS_URL, "SANIC_WORKERS": "2"})
    servers.start()
    yield servers
    servers.stop()


def rasa_workers(servers: LiveServers) -> set[int]:
    """The Sanic workers: the processes the Rasa process forked (its process group, itself excepted)."""
    rasa = servers.processes[-1].pid
    return {pid for pid in group_pids(rasa) if pid != rasa and parent(pid) == rasa}


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def owners_of_local_ports(pids: set[int]) -> dict[int, int]:
    """{local TCP port: pid} for the connections the processes ``pids`` hold open (read from /proc)."""
    inodes: dict[int, int] = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes[int(target[8:-1])] = pid
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if Path(table).exists():
            for line in Path(table).read_text().splitlines()[1:]:
                columns = line.split()
                if int(columns[9]) in inodes:
                    owners[int(columns[1].rsplit(":", 1)[1], 16)] = inodes[int(columns[9])]
    return owners


def test_two_workers_keep_each_conversation_consistent(redis_servers):
    """Concurrent conversations, each with its own questions, through two Rasa workers."""
    def conversation(_):
        sender = new_sender()
        replies = []
        for message in MESSAGES:
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


def monitored_burst(servers: LiveServers, client) -> tuple[list[str], list[dict]]:
    """8 new conversations of 3 messages at once; the Redis commands that name them, seen with MONITOR."""
    import redis

    senders = [new_sender() for _ in range(8)]
    end_marker = f"ess-test:end:{uuid.uuid4().hex}"
    failures: list[BaseException] = []

    def burst() -> None:
        try:
            with ThreadPoolExecutor(max_workers=len(senders)) as pool:
                for replies in pool.map(lambda sender: [servers.send(sender, m) for m in MESSAGES], senders):
                    assert [status for status, _ in replies] == [200] * len(MESSAGES), replies
        except BaseException as exc:  # reported below, after the monitor stops
            failures.append(exc)
        finally:
            redis.Redis.from_url(REDIS_URL).get(end_marker)  # tells the monitor below that the burst is over

    seen = []
    with client.monitor() as monitor:  # every command Redis runs from now on, from any client
        thread = threading.Thread(target=burst)
        thread.start()
        while True:
            command = monitor.next_command()
            if end_marker in command["command"]:
                break
            if LOCK_PREFIX in command["command"] and any(s in command["command"] for s in senders):
                seen.append(command)
        thread.join(timeout=60)
    assert not failures, failures
    return senders, seen


def test_each_message_locks_its_conversation_in_redis_from_both_workers(redis_servers):
    import redis

    workers = rasa_workers(redis_servers)
    assert len(workers) == 2, workers  # SANIC_WORKERS=2, accepted by Rasa because the lock store is in Redis
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=120)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    # The kernel gives each new connection to one worker or the other: a burst may by chance reach only one (seen
    # five bursts in a row on a busy machine), so bursts go on, for two minutes at most, until both workers have
    # locked conversations.
    senders, seen, callers = [], [], set()
    deadline = time.monotonic() + 120
    while True:
        more_senders, more_seen = monitored_burst(redis_servers, client)
        senders += more_senders
        seen += more_seen
        owners = owners_of_local_ports(workers)  # the workers' connections to Redis are still open
        callers = {owners.get(int(c["client_port"])) for c in seen if c["client_type"] != "lua"}
        if callers == workers or time.monotonic() > deadline:
            break

    for sender in senders:
        key = LOCK_PREFIX + sender + ":tickets"
        operations = [c["command"].split(" ", 2)[:2] for c in seen
                      if c["client_type"] == "lua" and c["command"].split(" ")[1:2] == [key]]
        issued = operations.count(["ZADD", key])
        assert issued == len(MESSAGES) and ["DEL", key] in operations, (sender, operations)  # a ticket per message
        assert client.keys(LOCK_PREFIX + sender + "*") == []  # every lock released once the answers came back
    assert {c["db"] for c in seen} == {db}  # in the test's own Redis database
    calls = [c for c in seen if c["client_type"] != "lua"]
    assert calls and all(c["command"].startswith(("EVALSHA", "EVAL", "SCRIPT")) for c in calls), calls[:3]
    assert callers == workers, (owners, {c["client_port"] for c in calls})
