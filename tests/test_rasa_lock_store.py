"""Rasa's ticket lock in Redis, atomic (bot/rasa/lock_store.py), on the real Redis (TEST_REDIS_URL, else skipped
with the reason): messages of one conversation served in order, one at a time, even with tickets issued at the
same moment from several threads; expired tickets stop blocking; nothing is left in Redis afterwards."""
from __future__ import annotations

import asyncio
import os
import threading
import uuid
from urllib.parse import urlsplit

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig

from bot.rasa.endpoints import lock_store_yaml
from bot.rasa.lock_store import AtomicRedisLockStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.fixture
def store():
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL non défini : verrous Redis non testés")
    parsed = urlsplit(REDIS_URL)
    config = EndpointConfig(url=parsed.hostname, type="bot.rasa.lock_store.AtomicRedisLockStore",
                            port=parsed.port or 6379, db=int((parsed.path or "/0").lstrip("/") or 0),
                            password=parsed.password, key_prefix=f"t{uuid.uuid4().hex[:10]}")
    store = LockStore.create(config)  # as Rasa builds it from the endpoints file
    yield store
    leftover = store.red.keys(store.key_prefix + "*")
    store.red.delete(store.counter_key)
    store.red.close()
    assert leftover in ([], [store.counter_key.encode()])  # only the shared ticket counter stays in Redis


def test_rasa_builds_it_from_our_endpoints_file_and_allows_several_workers(store, monkeypatch):
    assert isinstance(store, AtomicRedisLockStore) and isinstance(store, RedisLockStore)
    assert "type: bot.rasa.lock_store.AtomicRedisLockStore" in lock_store_yaml("redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(store) == 2


def test_tickets_are_served_in_order_one_at_a_time(store):
    async def scenario():
        order, inside = [], []

        async def message(n):
            async with store.lock("conv", wait_time_in_seconds=0.01):
                inside.append(n)
                assert len(inside) == 1  # nobody else holds the conversation
                await asyncio.sleep(0.02)
                order.append(n)
                inside.remove(n)

        tasks = []
        for n in range(5):
            tasks.append(asyncio.create_task(message(n)))
            await asyncio.sleep(0.001)  # issued in this order
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]


def test_tickets_issued_at_the_same_moment_from_many_threads_are_all_different(store):
    tickets, barrier = [], threading.Barrier(16)

    def issue():
        barrier.wait()
        tickets.append(store.issue_ticket("same", 30))

    threads = [threading.Thread(target=issue) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = min(tickets)
    assert sorted(tickets) == list(range(first, first + 16))  # Rasa's read-modify-write of one JSON value gave
    assert store.now_serving("same") == first                 # duplicates in 20 trials out of 20
    for ticket in tickets:
        store.cleanup("same", ticket)
    assert store.now_serving("same") is None


def test_an_expired_ticket_no_longer_blocks_and_cannot_be_served(store):
    dead = store.issue_ticket("conv", 0.05)  # a worker that died holding the conversation
    waiting = store.issue_ticket("conv", 30)
    assert store.now_serving("conv") == dead
    asyncio.run(asyncio.sleep(0.1))
    assert store.now_serving("conv") == waiting
    assert asyncio.run(store._acquire_lock("conv", waiting, 0.01)) is not None
    with pytest.raises(LockError):
        asyncio.run(store._acquire_lock("conv", dead, 0.01))
    store.cleanup("conv", waiting)
    assert not store.is_someone_waiting("conv")


def test_a_lock_is_released_when_the_message_fails(store):
    async def failing():
        async with store.lock("conv"):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        asyncio.run(failing())
    assert not store.is_someone_waiting("conv")
    assert store.red.keys(store.key_prefix + "conv*") == []


def test_a_waiter_resent_just_after_its_holder_died_is_served_once_the_dead_ticket_expires(store):
    async def resent():
        store.issue_ticket("conv", 0.3)  # the instance that died with the message: nobody renews this ticket
        start = asyncio.get_running_loop().time()
        async with store.lock("conv", lock_lifetime=0.3, wait_time_in_seconds=0.05):  # issued right after
            return asyncio.get_running_loop().time() - start

    assert 0.2 < asyncio.run(resent()) < 2  # Rasa's own ticket expired with the dead one: LockError or no end


def test_a_message_served_longer_than_the_lifetime_keeps_the_conversation(store):
    async def scenario():
        async with store.lock("conv", lock_lifetime=0.3, wait_time_in_seconds=0.05):
            mine = store.now_serving("conv")
            later = store.issue_ticket("conv", 30)
            await asyncio.sleep(1)  # three lifetimes
            assert store.now_serving("conv") == mine  # still served: the next message waits
        assert store.now_serving("conv") == later
        store.cleanup("conv", later)

    asyncio.run(scenario())


def test_a_late_cleanup_of_an_expired_ticket_does_not_release_a_newer_one(store):
    old = store.issue_ticket("conv", 0.05)
    asyncio.run(asyncio.sleep(0.1))
    new = store.issue_ticket("conv", 30)  # the conversation is free again: a new ticket, never the old number
    assert new > old and store.now_serving("conv") == new
    store.cleanup("conv", old)  # the expired holder finishes late
    assert store.now_serving("conv") == new
    store.cleanup("conv", new)


def test_keys_of_a_conversation_outlive_its_newest_ticket_by_a_minute(store):
    tickets, expiries = store._keys("kept")
    store.issue_ticket("kept", 10)
    assert all(60_000 < store.red.pttl(key) <= 70_000 for key in (tickets, expiries))
    store.now_serving("kept", 1_000_000, 100)  # not a ticket of this conversation: nothing pushed back
    assert all(store.red.pttl(key) <= 70_000 for key in (tickets, expiries))
    ticket = store.issue_ticket("kept", 10)
    store.now_serving("kept", ticket, 100)  # a live waiter: pushed back
    assert all(150_000 < store.red.pttl(key) <= 160_000 for key in (tickets, expiries))
    store.red.delete(tickets, expiries)
