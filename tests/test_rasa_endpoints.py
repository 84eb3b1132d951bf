import yaml

from bot.rasa.endpoints import endpoints_yaml


def test_tracker_store_uses_our_database_and_no_lock_store_without_redis():
    data = yaml.safe_load(endpoints_yaml(5055, "postgresql://u:p@h:5432/db", ""))
    assert data["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert data["tracker_store"] == {"type": "bot.rasa.tracker_store.DeletableSQLTrackerStore",
                                     "url": "postgresql://u:p@h:5432/db"}
    assert "lock_store" not in data


def test_redis_lock_store_from_redis_url():
    data = yaml.safe_load(endpoints_yaml(5055, "sqlite:///x.db", "redis://:secret@cache:6380/2"))
    assert data["lock_store"] == {"type": "bot.rasa.lock_store.AtomicRedisLockStore", "url": "cache", "port": 6380, "db": 2, "key_prefix": "ess",
                                  "password": "secret"}
