"""``python -m bot staff create-user``: in a subprocess (STAFF_PASSWORD) and in process (typed password)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.db.session import current_revision, dispose_engines, head_revision, session_scope
from bot.db.staff_models import StaffUser

pytest_plugins = ["tests.db_fixtures"]  # db_url

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "un mot de passe solide"


def run(url: str, *args: str, password=PASSWORD) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CALL_FILE", "STAFF_PASSWORD")}
    env["DATABASE_URL"] = url
    if password is not None:
        env["STAFF_PASSWORD"] = password
    result = subprocess.run([sys.executable, "-m", "bot", "staff", *args], cwd=ROOT, capture_output=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=120)
    result.out, result.err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    return result


def users(url):
    with session_scope(url) as session:
        return [(u.email, u.role, u.active, u.password_hash[:10], u.must_change_password)
                for u in session.scalars(select(StaffUser))]


def test_create_user_from_staff_password_on_a_fresh_database(db_url):
    result = run(db_url, "create-user", " Agent@ValDeMarne.fr ")
    assert result.returncode == 0, result.err
    assert "Compte instructeur créé : agent@valdemarne.fr." in result.out
    assert "à changer à la première connexion" in result.out
    assert current_revision(db_url) == head_revision()  # the schema was brought up to date first
    admin = run(db_url, "create-user", "chef@valdemarne.fr", "--role", "admin")
    assert admin.returncode == 0 and "Compte administrateur créé" in admin.out
    assert sorted(users(db_url)) == [("agent@valdemarne.fr", "reviewer", True, "$argon2id$", True),
                                     ("chef@valdemarne.fr", "admin", True, "$argon2id$", True)]


def test_weak_password_is_refused(db_url):
    result = run(db_url, "create-user", "agent@valdemarne.fr", password="trop court")
    assert result.returncode == 2
    assert "Mot de passe trop faible : il faut au moins 12 caractères." in result.err


def test_duplicate_is_refused(db_url):
    assert run(db_url, "create-user", "agent@valdemarne.fr").returncode == 0
    result = run(db_url, "create-user", "AGENT@valdemarne.fr", "--role", "admin")
    assert result.returncode == 1
    assert "Un compte existe déjà pour agent@valdemarne.fr." in result.err
    assert [u[:2] for u in users(db_url)] == [("agent@valdemarne.fr", "reviewer")]


def test_bad_email_and_role_are_refused(db_url):
    bad = run(db_url, "create-user", "pas-une-adresse")
    assert bad.returncode == 2 and "Adresse e-mail invalide" in bad.err
    role = run(db_url, "create-user", "agent@valdemarne.fr", "--role", "root")
    assert role.returncode == 2 and "choix invalide" in role.err


@pytest.fixture
def typed(db_url, monkeypatch):
    """Run in process with the password typed at the prompt (no STAFF_PASSWORD)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)

    def with_answers(*answers):
        replies = iter(answers)
        monkeypatch.setattr("bot.cli.staff.getpass.getpass", lambda prompt="": next(replies))
        return main(["staff", "create-user", "agent@valdemarne.fr"])

    yield with_answers
    dispose_engines()


def test_password_typed_twice(typed, db_url, capsys):
    assert typed(PASSWORD, PASSWORD) == 0
    assert "Compte instructeur créé" in capsys.readouterr().out
    assert [u[0] for u in users(db_url)] == ["agent@valdemarne.fr"]


def test_password_typed_differently_is_refused(typed, capsys):
    assert typed(PASSWORD, PASSWORD + "!") == 2
    assert "les deux mots de passe saisis sont différents" in capsys.readouterr().err
