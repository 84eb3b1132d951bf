"""Rate limits on /api/chat (per address, per sender, in progress) and the client address behind proxies.

Rasa is the fake of tests/test_web_public.py; the limiter's clock is injected, so nothing sleeps.
"""
from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.web import create_app
from bot.web.ratelimit import DatabaseLimiter, MemoryLimiter, RedisLimiter, decide
from tests.test_web_public import fake_rasa

SENDER = "conversation-0001"
FRENCH = "Vous avez envoyé beaucoup de messages en peu de temps. Merci de patienter"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:  # the start of a 60-second window
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WEB_SECRET_KEY", "test-secret")
    monkeypatch.setenv("SECURITY_LOG_FILE", str(tmp_path / "security.log"))
    for name in ("TRUSTED_PROXIES", "REDIS_URL", "WEB_HTTPS", "CHAT_LIMIT_PER_SENDER", "CHAT_LIMIT_PER_ADDRESS",
                 "CHAT_LIMIT_WINDOW", "CHAT_MAX_PARALLEL", "CHAT_MAX_PARALLEL_PER_ADDRESS", "WEB_THREADS",
                 "RASA_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def rasa():
    """The stand-in for Rasa's REST webhook of tests/test_web_public.py, on a free port."""
    with fake_rasa() as server:
        yield server


def make_app(rasa_server, limiter, **config):
    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{rasa_server.server_address[1]}",
                       "RASA_TIMEOUT": 5, "RATE_LIMITER": limiter, "CHAT_LIMIT_PER_SENDER": 3,
                       "CHAT_LIMIT_PER_ADDRESS": 5, **config})


def chat(client, sender=SENDER, address="203.0.113.7", **headers):
    return client.post("/api/chat", data=json.dumps({"sender": sender, "message": "bonjour"}),
                       content_type="application/json", environ_base={"REMOTE_ADDR": address}, headers=headers)


def assert_refused(response, seconds=None):
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"].startswith(FRENCH) and "votre message n'a pas été perdu" in body["error"]
    assert int(response.headers["Retry-After"]) >= 1 and body["retry_after"] == int(response.headers["Retry-After"])
    if seconds is not None:
        assert response.headers["Retry-After"] == str(seconds)
        assert f"patienter {seconds} seconde" in body["error"]


# ---- the counting ----

def test_sliding_window_decisions_and_retry_after():
    assert decide(previous=0, current=20, limit=20, window=60, elapsed=10) == (True, 0)
    # This window ends in 50 s; then its 21 hits must fade to 19: 2/21 of the next window, 5.7 s.
    assert decide(previous=0, current=21, limit=20, window=60, elapsed=10) == (False, 56)
    # Half the previous window still counts: 10 + 15 = 25 > 20; 19 is reached when only a fifth of it counts.
    assert decide(previous=20, current=15, limit=20, window=60, elapsed=30) == (False, 18)
    assert decide(previous=20, current=16, limit=20, window=60, elapsed=48) == (True, 0)  # 4 + 16


def test_per_sender_limit(rasa, clock):
    client = make_app(rasa, MemoryLimiter(clock)).test_client()
    for i in range(3):  # the same conversation from three addresses
        assert chat(client, address=f"198.51.100.{i}").status_code == 200
    refused = chat(client, address="198.51.100.9")
    assert_refused(refused)
    assert len(rasa.received) == 3  # a refused message never reaches Rasa
    assert chat(client, sender="autre-conversation", address="198.51.100.9").status_code == 200
    clock.now += int(refused.headers["Retry-After"])  # after the wait it is told, it goes through
    assert chat(client, address="198.51.100.9").status_code == 200


def test_per_address_limit(rasa, clock):
    client = make_app(rasa, MemoryLimiter(clock)).test_client()
    for i in range(5):  # five conversations from one address
        assert chat(client, sender=f"conversation-{i:04d}").status_code == 200
    assert_refused(chat(client, sender="conversation-0099"), seconds=80)  # 60 s, then 6 hits fading to 4: 20 s
    assert chat(client, sender="conversation-0099", address="203.0.113.8").status_code == 200


def test_retry_after_is_exact_at_a_window_edge(rasa, clock):
    client = make_app(rasa, MemoryLimiter(clock), CHAT_LIMIT_PER_ADDRESS=0).test_client()  # sender limit only
    clock.now += 59
    for _ in range(3):
        assert chat(client).status_code == 200
    assert_refused(chat(client), seconds=31)  # the window ends in 1 s, then 4 hits fade to 2: 30 s
    clock.now += 31
    assert chat(client).status_code == 200


def test_hammering_keeps_a_client_refused(rasa, clock):
    client = make_app(rasa, MemoryLimiter(clock), CHAT_LIMIT_PER_ADDRESS=0).test_client()
    for _ in range(3):
        assert chat(client).status_code == 200
    first = int(chat(client).headers["Retry-After"])
    for _ in range(10):  # refused messages count too
        chat(client)
    assert int(chat(client).headers["Retry-After"]) > first


def test_limits_are_configurable_and_can_be_turned_off(rasa, clock, monkeypatch):
    monkeypatch.setenv("CHAT_LIMIT_PER_SENDER", "1")
    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{rasa.server_address[1]}",
                      "RATE_LIMITER": MemoryLimiter(clock)})
    assert (app.config["CHAT_LIMIT_PER_SENDER"], app.config["CHAT_LIMIT_PER_ADDRESS"]) == (1, 60)
    client = app.test_client()
    assert chat(client).status_code == 200
    assert_refused(chat(client))
    unlimited = make_app(rasa, MemoryLimiter(clock), CHAT_LIMIT_PER_SENDER=0, CHAT_LIMIT_PER_ADDRESS=0).test_client()
    assert all(chat(unlimited).status_code == 200 for _ in range(30))


# ---- the client address behind proxies ----

def test_forwarded_addresses_are_ignored_without_trusted_proxies(rasa, clock):
    client = make_app(rasa, MemoryLimiter(clock)).test_client()
    for i in range(5):  # a client cannot escape the address limit by inventing X-Forwarded-For
        assert chat(client, sender=f"conversation-{i:04d}", **{"X-Forwarded-For": f"10.9.9.{i}"}).status_code == 200
    assert_refused(chat(client, sender="conversation-0099", **{"X-Forwarded-For": "10.9.9.99"}))


def test_trusted_proxies_give_each_client_its_own_limit(rasa, clock):
    app = make_app(rasa, MemoryLimiter(clock), TRUSTED_PROXIES=1)
    client = app.test_client()
    proxy = "10.0.0.2"  # every request comes from the proxy
    for i in range(5):
        assert chat(client, sender=f"conversation-{i:04d}", address=proxy,
                    **{"X-Forwarded-For": "203.0.113.50"}).status_code == 200
    assert_refused(chat(client, sender="conversation-0099", address=proxy, **{"X-Forwarded-For": "203.0.113.50"}))
    other = chat(client, sender="conversation-0099", address=proxy, **{"X-Forwarded-For": "203.0.113.51"})
    assert other.status_code == 200
    # With one trusted hop, only the last address counts: what the client put before it is ignored.
    forged = chat(client, sender="conversation-0100", address=proxy, **{"X-Forwarded-For": "1.2.3.4, 203.0.113.50"})
    assert forged.status_code == 429


def test_two_proxy_hops(rasa, clock, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{rasa.server_address[1]}",
                      "RATE_LIMITER": MemoryLimiter(clock), "CHAT_LIMIT_PER_ADDRESS": 1})
    assert app.config["TRUSTED_PROXIES"] == 2
    client = app.test_client()
    header = {"X-Forwarded-For": "203.0.113.60, 10.0.0.3"}  # client, first proxy; the second one connects
    assert chat(client, address="10.0.0.4", **header).status_code == 200
    assert chat(client, sender="conversation-0002", address="10.0.0.4", **header).status_code == 429
    assert chat(client, sender="conversation-0003", address="10.0.0.4",
                **{"X-Forwarded-For": "203.0.113.61, 10.0.0.3"}).status_code == 200


# ---- requests in progress (waitress threads) ----

def test_requests_in_progress_are_capped_per_address_and_in_all(rasa, clock):
    rasa.mode = "slow"  # Rasa takes 1.5 s
    app = make_app(rasa, MemoryLimiter(clock), CHAT_MAX_PARALLEL_PER_ADDRESS=1, CHAT_MAX_PARALLEL=2,
                   CHAT_LIMIT_PER_SENDER=0, CHAT_LIMIT_PER_ADDRESS=0)
    guard = app.extensions["ess_chat_guard"]

    def send(args):
        sender, address = args
        return chat(app.test_client(), sender=sender, address=address)

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(send, ("conversation-a001", "203.0.113.1"))
        deadline = time.monotonic() + 5
        while guard.in_progress() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        same_address = send(("conversation-a002", "203.0.113.1"))
        second = pool.submit(send, ("conversation-b001", "203.0.113.2"))
        while guard.in_progress() < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        third = send(("conversation-c001", "203.0.113.3"))
        assert first.result().status_code == 200 and second.result().status_code == 200
    assert same_address.status_code == 429 and "encore en cours" in same_address.get_json()["error"]
    assert same_address.headers["Retry-After"]
    assert third.status_code == 503 and "beaucoup de messages" in third.get_json()["error"]
    assert third.headers["Retry-After"]
    assert guard.in_progress() == 0


def test_the_default_thread_budget_keeps_threads_for_the_staff_area(rasa):
    app = create_app({"TESTING": True})
    assert app.config["WEB_THREADS"] == 8 and app.config["CHAT_MAX_PARALLEL"] == 6
    assert app.config["CHAT_MAX_PARALLEL_PER_ADDRESS"] == 2 and app.config["RASA_TIMEOUT"] == 10


# ---- the stores ----

def test_database_store_is_shared_by_processes(rasa, clock, migrated_db_url):
    """Two apps (two processes) on one database share the counts, on SQLite and PostgreSQL."""
    first = make_app(rasa, DatabaseLimiter(migrated_db_url, clock)).test_client()
    second = make_app(rasa, DatabaseLimiter(migrated_db_url, clock)).test_client()
    assert [chat(c).status_code for c in (first, second, first)] == [200, 200, 200]
    assert_refused(chat(second))
    clock.now += 600  # the old windows expire and are cleaned up when a new key is counted
    assert chat(first).status_code == 200
    from sqlalchemy import func, select

    from bot.db.security_models import RateLimitCounter
    from bot.db.session import session_scope
    with session_scope(migrated_db_url) as session:
        assert session.scalar(select(func.count()).select_from(RateLimitCounter)) == 2  # address + sender


def test_database_store_counts_concurrent_hits_exactly(clock, migrated_db_url):
    limiter = DatabaseLimiter(migrated_db_url, clock)
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda _: limiter.hit("test", "same-key", 10, 60), range(30)))
    assert sum(d.allowed for d in decisions) == 10


def test_a_store_failure_lets_messages_through(rasa, clock, tmp_path, caplog):
    limiter = DatabaseLimiter(f"sqlite:///{tmp_path / 'absent' / 'no.db'}", clock)  # cannot be opened
    client = make_app(rasa, limiter).test_client()
    with caplog.at_level("WARNING"):
        assert all(chat(client).status_code == 200 for _ in range(5))
    assert "Limiteur de débit indisponible" in caplog.text


class FakeRedis:
    """The three commands the limiter uses, with a pipeline."""

    def __init__(self):
        self.values, self.ttl, self.queued = {}, {}, []
        self.lock = threading.Lock()

    def pipeline(self):
        self.queued = []
        return self

    def incr(self, key):
        self.queued.append(("incr", key))

    def expire(self, key, seconds):
        self.queued.append(("expire", key, seconds))

    def get(self, key):
        self.queued.append(("get", key))

    def execute(self):
        results = []
        with self.lock:
            for command, key, *rest in self.queued:
                if command == "incr":
                    self.values[key] = self.values.get(key, 0) + 1
                    results.append(self.values[key])
                elif command == "expire":
                    self.ttl[key] = rest[0]
                    results.append(True)
                else:
                    value = self.values.get(key)
                    results.append(None if value is None else str(value).encode())
        return results


def test_redis_store(rasa, clock):
    redis = FakeRedis()
    client = make_app(rasa, RedisLimiter(redis, clock)).test_client()
    assert [chat(client).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert all(key.startswith("ess:ratelimit:chat-") for key in redis.values)
    assert set(redis.ttl.values()) == {120}  # two windows
    clock.now += 60
    assert chat(client).status_code == 429  # the previous window still counts fully at its start


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL non défini : Redis non testé")
def test_real_redis_is_used_when_redis_url_is_set(rasa, monkeypatch):
    import redis

    monkeypatch.setenv("REDIS_URL", os.environ["TEST_REDIS_URL"])
    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{rasa.server_address[1]}",
                      "CHAT_LIMIT_PER_SENDER": 2})
    limiter = app.extensions["ess_chat_limiter"]
    assert isinstance(limiter, RedisLimiter)
    sender = f"redis-test-{time.time_ns()}"
    client = app.test_client()
    assert [chat(client, sender=sender).status_code for _ in range(3)] == [200, 200, 429]
    keys = redis.Redis.from_url(os.environ["TEST_REDIS_URL"]).keys(f"ess:ratelimit:chat-sender:{sender}:*")
    assert keys
