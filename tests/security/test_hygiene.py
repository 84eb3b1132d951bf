"""Hygiene: no personal data in the logs when a save fails, var/ private (0700, files 0600) through the real code
paths, and ``make clean`` keeping var/ while ``make clean-data`` asks first."""
from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from actions.drafts import ActionApplicationSummary
from bot import instance as private_files
from bot.db import session as db_session_module
from bot.db.session import dispose_engines, get_engine, session_scope, upgrade
from tests.security.helpers import FULL, VICTIM_EMAIL

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = (VICTIM_EMAIL, FULL["phone"], FULL["siret"], FULL["contact_name"])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    """The usual umask, under which a plain ``open``/``mkdir`` makes files readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# --- A failed save logs no personal data ---

def _break_writes(url: str) -> None:
    """Every change to a draft fails inside the database, with the values in the statement's parameters."""
    with session_scope(url) as session:
        session.execute(text("CREATE TRIGGER broken BEFORE UPDATE ON drafts "
                             "BEGIN SELECT RAISE(ABORT, 'panne simulée'); END"))


@pytest.fixture
def broken_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ess.db'}"
    upgrade(url)
    _break_writes(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    dispose_engines()


def test_the_engine_hides_parameters(broken_database):
    assert get_engine(broken_database).hide_parameters is True


def test_without_hide_parameters_the_error_would_carry_the_e_mail(broken_database):
    """The control: the broken database does put the values in SQLAlchemy's error text."""
    engine = create_engine(broken_database, future=True)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO drafts (reference, conversation_id, status, created_at, updated_at) "
                                "VALUES ('ESS-2026-0001', 'c', 'new', '2026-01-01', '2026-01-01')"))
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(text("UPDATE drafts SET email = :email"), {"email": VICTIM_EMAIL})
    engine.dispose()
    assert VICTIM_EMAIL in str(caught.value)


@pytest.mark.parametrize("database", ["broken", "down"])
def test_a_failed_save_logs_no_personal_data(database, broken_database, make_tracker, caplog, monkeypatch):
    if database == "down":
        monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/absent")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.DEBUG):
        ActionApplicationSummary().run(dispatcher, make_tracker(slots=FULL, sender_id="conv-pii"), {})
    assert "problème technique" in dispatcher.messages[0]["text"]  # the applicant is told, politely
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the failure must be logged"
    expected = "IntegrityError" if database == "broken" else "OperationalError"
    assert any(expected in r.getMessage() for r in errors)
    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records)
    for value in PERSONAL:
        assert value not in logged


# --- var/ is private: 0700, its files 0600, from the real code paths ---

@pytest.fixture
def var(tmp_path, monkeypatch, umask_022):
    """The instance folder (var/) moved under tmp_path with INSTANCE_PATH, for every module that writes there."""
    folder = tmp_path / "var"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    for name in ("DATABASE_URL", "WEB_SECRET_KEY", "MAIL_OUTBOX_DIR", "SMTP_URL", "SECURITY_LOG_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield folder
    dispose_engines()


def test_the_default_sqlite_database_is_private(var):
    url = db_session_module.database_url()
    assert mode(var) == 0o700
    upgrade(url)
    with session_scope(url) as session:  # a connection open: the WAL files exist
        session.execute(text("SELECT 1"))
        files = [p for p in var.iterdir() if p.name.startswith("ess.db")]
        assert {p.name for p in files} >= {"ess.db", "ess.db-wal", "ess.db-shm"}
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_open_var_folder_and_database_are_tightened(var):
    var.mkdir(mode=0o755)  # as `mkdir -p var` or an older version left them
    (var / "ess.db").touch(mode=0o644)
    upgrade(db_session_module.database_url())
    assert mode(var) == 0o700 and mode(var / "ess.db") == 0o600


def test_rasa_endpoints_file_is_private(var, monkeypatch):
    from bot.rasa import endpoints as rasa_endpoints

    var.mkdir(mode=0o755)
    out = var / "endpoints.yml"
    out.write_text("old: 1\n")
    out.chmod(0o644)
    monkeypatch.setenv("DATABASE_URL", "postgresql://ess:mot-de-passe@db:5432/ess")
    monkeypatch.setattr(sys, "argv", ["rasa_endpoints", "--action-port", "5055", "--out", str(out)])
    rasa_endpoints.main()
    assert mode(var) == 0o700 and mode(out) == 0o600
    assert "mot-de-passe" in out.read_text()
    assert [p.name for p in var.iterdir()] == ["endpoints.yml"]  # no temporary file left


def test_the_secret_key_is_private_from_its_creation(var):
    from bot.settings import get_settings
    from bot.web import _secret_key

    key = _secret_key(get_settings())
    path = var / "web_secret_key"
    assert len(key) == 64 and path.read_text().strip() == key
    assert mode(var) == 0o700 and mode(path) == 0o600
    assert _secret_key(get_settings()) == key  # kept across restarts


def test_processes_starting_together_share_one_secret_key(var):
    path = var / "web_secret_key"
    keys, barrier = [], threading.Barrier(8)

    def start(number: int) -> None:
        barrier.wait()
        keys.append(private_files.read_or_create_secret(path, lambda: f"clé-{number}"))

    threads = [threading.Thread(target=start, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and mode(path) == 0o600
    assert sorted(p.name for p in var.iterdir()) == ["web_secret_key"]


def test_the_mail_outbox_is_private(var):
    from bot.mail.send import send_mail

    db_session_module.database_url()  # var/ as the app creates it first
    send_mail(VICTIM_EMAIL, "Votre code", "123456")
    outbox = var / "outbox"
    files = list(outbox.iterdir())
    assert mode(var) == 0o700 and mode(outbox) == 0o700
    assert len(files) == 1 and mode(files[0]) == 0o600


def test_the_security_log_is_private(var):
    from bot.web import create_app

    app = create_app({"TESTING": True})
    assert Path(app.config["SECURITY_LOG_FILE"]).parent == var == Path(app.instance_path)
    assert mode(var) == 0o700 and mode(var / "security.log") == 0o600


def test_write_private_replaces_a_file_atomically(tmp_path, umask_022):
    target = tmp_path / "private" / "file.txt"
    private_files.write_private(target, "un")
    private_files.write_private(target, "deux")
    assert target.read_text() == "deux" and mode(target) == 0o600 and mode(target.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


# --- make clean keeps var/; make clean-data asks first ---

@pytest.fixture
def checkout(tmp_path):
    """A copy of what `make clean` sees: models/, results/, .pytest_cache and var/ with a database."""
    for folder in ("models", "results", ".pytest_cache", "var"):
        (tmp_path / folder).mkdir()
    (tmp_path / "var" / "ess.db").write_text("données")
    (tmp_path / "models" / "ess.tar.gz").write_text("modèle")
    return tmp_path


def make(checkout: Path, target: str, answer: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("CONFIRM", "INSTANCE_PATH")} | env
    return subprocess.run(["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(checkout),
                           target], input=answer, capture_output=True, text=True, env=environment, timeout=60)


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_clean_keeps_var(checkout):
    assert make(checkout, "clean").returncode == 0
    assert (checkout / "var" / "ess.db").read_text() == "données"
    assert not (checkout / "models").exists() and not (checkout / "results").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
@pytest.mark.parametrize("answer", ["", "n\n", "N\n", "non\n", "peut-être\n"])
def test_make_clean_data_keeps_var_unless_confirmed(checkout, answer):
    result = make(checkout, "clean-data", answer)
    assert result.returncode != 0 and "Rien n'est supprimé" in result.stdout
    assert (checkout / "var" / "ess.db").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
@pytest.mark.parametrize("answer, env", [("y\n", {}), ("oui\n", {}), ("", {"CONFIRM": "1"})])
def test_make_clean_data_removes_var_when_confirmed(checkout, answer, env):
    assert make(checkout, "clean-data", answer, **env).returncode == 0
    assert not (checkout / "var").exists() and (checkout / "models").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_clean_data_removes_the_instance_folder_of_instance_path(checkout):
    moved = checkout / "elsewhere" / "instance"
    moved.mkdir(parents=True)
    (moved / "ess.db").write_text("données")
    result = make(checkout, "clean-data", "oui\n", INSTANCE_PATH=str(moved))
    assert result.returncode == 0 and result.stdout == f"rm -rf {moved}\n"
    assert not moved.exists() and (checkout / "var" / "ess.db").exists()
