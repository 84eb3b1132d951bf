"""bot/settings.py: the defaults, each variable parsed, a wrong value refused in French, one frozen object read once."""
from __future__ import annotations

import dataclasses
import inspect
import os
import re
from pathlib import Path

import pytest

from bot.settings import DEFAULT_INSTANCE_PATH, Settings, SettingsError, get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_defaults():
    settings = Settings.from_env({})
    assert settings == Settings(
        instance_path=ROOT / "var", database_url=None, call_file=None, web_port=8000, web_threads=8,
        web_secret_key=None, web_https=False, trusted_proxies=0, security_log_file=ROOT / "var" / "security.log",
        rasa_url="http://127.0.0.1:5005", rasa_timeout=10.0, chat_limit_per_sender=20, chat_limit_per_address=60,
        chat_limit_window=60, chat_max_parallel=6, chat_max_parallel_per_address=2, redis_url=None,
        purge_schedule=True, staff_password=None, public_base_url="http://localhost:8000", smtp_url="",
        smtp_from=None, smtp_ca_file=None, mail_outbox_dir=ROOT / "var" / "outbox", action_host="127.0.0.1",
        action_max_body_bytes=8 * 1024 * 1024, tracker_max_events=30, rasa_fast_validation=True,
        rasa_keepalive_actions=True,
    )
    assert DEFAULT_INSTANCE_PATH == ROOT / "var"
    assert (settings.database_file, settings.secret_key_file, settings.endpoints_file) == (
        ROOT / "var" / "ess.db", ROOT / "var" / "web_secret_key", ROOT / "var" / "endpoints.yml")


def test_empty_or_blank_variables_are_the_defaults():
    names = ["INSTANCE_PATH", "DATABASE_URL", "CALL_FILE", "WEB_PORT", "WEB_THREADS", "TRUSTED_PROXIES",
             "SECURITY_LOG_FILE", "RASA_URL", "RASA_HOST", "RASA_PORT", "RASA_TIMEOUT", "CHAT_LIMIT_PER_SENDER",
             "REDIS_URL", "PURGE_SCHEDULE", "PUBLIC_BASE_URL", "SMTP_URL", "SMTP_FROM", "MAIL_OUTBOX_DIR",
             "ACTION_HOST", "ACTION_MAX_BODY_BYTES", "TRACKER_MAX_EVENTS", "RASA_FAST_VALIDATION",
             "RASA_KEEPALIVE_ACTIONS"]
    assert Settings.from_env({name: "  " for name in names}) == Settings.from_env({})


def test_every_variable_is_read(tmp_path):
    environ = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": " postgresql://ess:secret@db:5432/ess ",
        "CALL_FILE": str(tmp_path / "call.yml"),
        "WEB_PORT": "8100",
        "WEB_THREADS": "12",
        "WEB_SECRET_KEY": "clé secrète",
        "WEB_HTTPS": "oui",
        "TRUSTED_PROXIES": "2",
        "SECURITY_LOG_FILE": str(tmp_path / "logs" / "security.log"),
        "RASA_URL": "http://10.0.0.5:5005",
        "RASA_TIMEOUT": "2.5",
        "CHAT_LIMIT_PER_SENDER": "5",
        "CHAT_LIMIT_PER_ADDRESS": "0",
        "CHAT_LIMIT_WINDOW": "30",
        "CHAT_MAX_PARALLEL": "4",
        "CHAT_MAX_PARALLEL_PER_ADDRESS": "1",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "PURGE_SCHEDULE": "Non",
        "STAFF_PASSWORD": " mot de passe ",
        "PUBLIC_BASE_URL": "https://ess.valdemarne.fr/",
        "SMTP_URL": "smtp://u:p@mail:587",
        "SMTP_FROM": "Assistant ESS <ne-pas-repondre@valdemarne.fr>",
        "SMTP_CA_FILE": "/etc/ssl/ca.pem",
        "MAIL_OUTBOX_DIR": str(tmp_path / "mails"),
        "ACTION_HOST": "10.0.0.6",
        "ACTION_MAX_BODY_BYTES": "1024",
        "TRACKER_MAX_EVENTS": "0",
        "RASA_FAST_VALIDATION": "0",
        "RASA_KEEPALIVE_ACTIONS": "0",
    }
    settings = Settings.from_env(environ)
    assert dataclasses.asdict(settings) == {
        "instance_path": tmp_path / "instance", "database_url": "postgresql://ess:secret@db:5432/ess",
        "call_file": tmp_path / "call.yml", "web_port": 8100, "web_threads": 12, "web_secret_key": "clé secrète",
        "web_https": True, "trusted_proxies": 2, "security_log_file": tmp_path / "logs" / "security.log",
        "rasa_url": "http://10.0.0.5:5005", "rasa_timeout": 2.5, "chat_limit_per_sender": 5,
        "chat_limit_per_address": 0, "chat_limit_window": 30, "chat_max_parallel": 4,
        "chat_max_parallel_per_address": 1, "redis_url": "redis://127.0.0.1:6379/1", "purge_schedule": False,
        "staff_password": " mot de passe ", "public_base_url": "https://ess.valdemarne.fr",
        "smtp_url": "smtp://u:p@mail:587", "smtp_from": "Assistant ESS <ne-pas-repondre@valdemarne.fr>",
        "smtp_ca_file": "/etc/ssl/ca.pem", "mail_outbox_dir": tmp_path / "mails", "action_host": "10.0.0.6",
        "action_max_body_bytes": 1024, "tracker_max_events": 0, "rasa_fast_validation": False,
        "rasa_keepalive_actions": False,
    }
    assert settings.database_file == tmp_path / "instance" / "ess.db"


def test_the_instance_folder_moves_its_files_and_a_relative_one_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"INSTANCE_PATH": "donnees"})
    assert settings.instance_path == tmp_path / "donnees"
    assert (settings.security_log_file, settings.mail_outbox_dir, settings.database_file, settings.secret_key_file,
            settings.endpoints_file) == (tmp_path / "donnees" / "security.log", tmp_path / "donnees" / "outbox",
                                         tmp_path / "donnees" / "ess.db", tmp_path / "donnees" / "web_secret_key",
                                         tmp_path / "donnees" / "endpoints.yml")


@pytest.mark.parametrize(("environ", "rasa_url"), [
    ({"RASA_HOST": "10.0.0.5"}, "http://10.0.0.5:5005"),
    ({"RASA_PORT": "5105"}, "http://127.0.0.1:5105"),
    ({"RASA_URL": "http://nginx:5005", "RASA_HOST": "10.0.0.5"}, "http://nginx:5005"),
])
def test_the_rasa_url_follows_rasa_host_and_port(environ, rasa_url):
    assert Settings.from_env(environ).rasa_url == rasa_url


def test_the_chat_limits_follow_the_thread_count():
    assert Settings.from_env({"WEB_THREADS": "2"}).chat_max_parallel == 1
    assert Settings.from_env({"WEB_THREADS": "20"}).chat_max_parallel == 18
    assert Settings.from_env({"CHAT_LIMIT_WINDOW": "0"}).chat_limit_window == 1


@pytest.mark.parametrize(("name", "value", "parsed"), [
    ("WEB_HTTPS", "1", True), ("WEB_HTTPS", "TRUE", True), ("WEB_HTTPS", "yes", True), ("WEB_HTTPS", "0", False),
    ("WEB_HTTPS", "non", False),
    ("PURGE_SCHEDULE", "0", False), ("PURGE_SCHEDULE", "false", False), ("PURGE_SCHEDULE", "off", False),
    ("PURGE_SCHEDULE", "no", False), ("PURGE_SCHEDULE", "1", True), ("PURGE_SCHEDULE", "oui", True),
    ("RASA_FAST_VALIDATION", "0", False), ("RASA_FAST_VALIDATION", "1", True),
    ("RASA_FAST_VALIDATION", "non", True),
    ("RASA_KEEPALIVE_ACTIONS", "0", False), ("RASA_KEEPALIVE_ACTIONS", "1", True),
])
def test_yes_and_no(name, value, parsed):
    assert getattr(Settings.from_env({name: value}), name.lower()) is parsed


def test_tracker_session_length():
    assert Settings.from_env({}).tracker_max_events == 30
    assert Settings.from_env({"TRACKER_MAX_EVENTS": " 40 "}).tracker_max_events == 40


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TRUSTED_PROXIES", "deux", "TRUSTED_PROXIES invalide : « deux » (un nombre entier est attendu)."),
    ("CHAT_LIMIT_PER_SENDER", "-1", "CHAT_LIMIT_PER_SENDER invalide : -1 (au moins 0)."),
    ("CHAT_LIMIT_PER_ADDRESS", "1.5", "CHAT_LIMIT_PER_ADDRESS invalide : « 1.5 » (un nombre entier est attendu)."),
    ("CHAT_LIMIT_WINDOW", "une minute", "CHAT_LIMIT_WINDOW invalide : « une minute » (un nombre entier est attendu)."),
    ("CHAT_MAX_PARALLEL", "x", "CHAT_MAX_PARALLEL invalide : « x » (un nombre entier est attendu)."),
    ("CHAT_MAX_PARALLEL_PER_ADDRESS", "-2", "CHAT_MAX_PARALLEL_PER_ADDRESS invalide : -2 (au moins 0)."),
    ("WEB_THREADS", "1", "WEB_THREADS invalide : 1 (au moins 2)."),
    ("WEB_PORT", "huit mille", "WEB_PORT invalide : « huit mille » (un numéro de port est attendu)."),
    ("RASA_TIMEOUT", "dix", "RASA_TIMEOUT invalide : « dix » (un nombre de secondes est attendu)."),
    ("RASA_TIMEOUT", "0", "RASA_TIMEOUT invalide : « 0 » (un nombre de secondes positif est attendu)."),
    ("ACTION_MAX_BODY_BYTES", "8Mo", "ACTION_MAX_BODY_BYTES invalide : « 8Mo » (un nombre entier est attendu)."),
    ("ACTION_MAX_BODY_BYTES", "0", "ACTION_MAX_BODY_BYTES invalide : 0 (au moins 1)."),
    ("TRACKER_MAX_EVENTS", "beaucoup", "TRACKER_MAX_EVENTS invalide : « beaucoup » (un nombre entier est attendu)."),
    ("TRACKER_MAX_EVENTS", "-3", "TRACKER_MAX_EVENTS invalide : -3 (au moins 0)."),
    ("PUBLIC_BASE_URL", "ess.valdemarne.fr",
     "PUBLIC_BASE_URL invalide : une adresse http(s) est attendue, par exemple https://ess.valdemarne.fr"),
    ("PUBLIC_BASE_URL", "javascript:alert(1)",
     "PUBLIC_BASE_URL invalide : une adresse http(s) est attendue, par exemple https://ess.valdemarne.fr"),
])
def test_a_wrong_value_is_refused_in_french(name, value, message):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)  # `python -m bot web` answers it with exit code 2


def test_the_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.web_port = 9000  # type: ignore[misc]


def test_secrets_are_not_in_the_repr():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://ess:motdepasse1@db/ess", "WEB_SECRET_KEY": "clé1",
                                  "SMTP_URL": "smtp://u:motdepasse2@mail", "REDIS_URL": "redis://:motdepasse3@r",
                                  "STAFF_PASSWORD": "motdepasse4"})
    shown = repr(settings)
    assert "web_port=8000" in shown
    for secret in ("motdepasse1", "clé1", "motdepasse2", "motdepasse3", "motdepasse4"):
        assert secret not in shown


def test_the_environment_is_read_once_until_reset(monkeypatch):
    monkeypatch.setenv("WEB_PORT", "8100")
    settings = get_settings()
    assert settings.web_port == 8100
    monkeypatch.setitem(os.environ, "WEB_PORT", "8200")  # not monkeypatch.setenv, which resets (tests/conftest.py)
    assert get_settings() is settings and get_settings().web_port == 8100
    reset_settings()
    assert get_settings().web_port == 8200


def test_a_wrong_value_is_not_kept(monkeypatch):
    monkeypatch.setitem(os.environ, "WEB_THREADS", "1")
    reset_settings()
    with pytest.raises(SettingsError, match="WEB_THREADS invalide"):
        get_settings()
    monkeypatch.setitem(os.environ, "WEB_THREADS", "4")
    assert get_settings().web_threads == 4


def _configuration_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `"))


# Variables of the shell or of make, not of this project.
SYSTEM_VARIABLES = {"HOME", "PATH", "PWD", "SECONDS", "RANDOM", "SHELL", "USER", "TMPDIR", "MAKE", "MAKEFLAGS", "CURDIR"}


def variables_read_by(text: str, makefile: bool = False) -> set[str]:
    """The upper-case variables a shell script (or the Makefile) reads from the environment: ``${X:-default}``,
    ``$X`` and ``${X}`` (``$$X`` in a Makefile recipe; ``$(X)`` and ``X ?= …`` in make), except those it sets itself
    (``X=…``, ``export X=…``; ``X = …`` or ``X := …`` in make) and those of the shell or of make.
    """
    dollar = r"\$\$" if makefile else r"(?<!\$)\$"
    read = set(re.findall(dollar + r"\{?([A-Z_][A-Z0-9_]*)", text))
    assigned = set(re.findall(r"^\s*(?:export\s+|local\s+|readonly\s+)?([A-Z_][A-Z0-9_]*)=", text, re.MULTILINE))
    with_default = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):-", text))
    if makefile:
        read |= set(re.findall(r"(?<!\$)\$[({]([A-Z_][A-Z0-9_]*)[)}]", text))
        assigned |= set(re.findall(r"^(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*:?=", text, re.MULTILINE))
        with_default |= set(re.findall(r"^([A-Z_][A-Z0-9_]*)\s*\?=", text, re.MULTILINE))
    return ((read - assigned) | with_default) - SYSTEM_VARIABLES


def test_the_variables_of_a_script_are_found():
    script = ('VENV=${VENV:-.venv}\nPY="$VENV/bin/python"\nexport RASA_URL="http://${RASA_HOST}:$RASA_PORT"\n'
              'if [ -n "$DATABASE_URL" ]; then echo "$HOME $SECONDS $PY"; fi\n# $lower_case ${x:-1}\n')
    assert variables_read_by(script) == {"VENV", "RASA_HOST", "RASA_PORT", "DATABASE_URL"}
    makefile = ('SHELL := /bin/bash\nVENV ?= .venv\nexport RASA_TELEMETRY_ENABLED = false\n'
                'lint:\n\t$(VENV)/bin/ruff $(FLAGS)\n\trm -rf "$${INSTANCE_PATH:-var}" $$TARGET $(MAKE)\n')
    assert variables_read_by(makefile, makefile=True) == {"VENV", "FLAGS", "INSTANCE_PATH", "TARGET"}


def test_every_variable_is_in_the_readme_table():
    read_by_python = set(re.findall(r"""["']([A-Z][A-Z0-9_]+)["']""", inspect.getsource(Settings.from_env)))
    assert {"INSTANCE_PATH", "RASA_URL", "RASA_TIMEOUT", "RASA_HOST", "STAFF_PASSWORD"} <= read_by_python
    read_by_scripts = {name for path in [*sorted((ROOT / "scripts").glob("*.sh")), ROOT / "Makefile"]
                       for name in variables_read_by(path.read_text(encoding="utf-8"), path.name == "Makefile")}
    assert {"WEB_PORT", "NGINX_PORT", "FORCE_TRAIN", "CONFIRM", "DATABASE_URL", "VENV"} <= read_by_scripts
    table = _configuration_table()
    assert sorted(name for name in read_by_python | read_by_scripts if f"`{name}`" not in table) == []


def test_the_environment_is_read_in_bot_settings_only():
    readers = sorted(str(path.relative_to(ROOT)) for folder in ("bot", "actions") for path in (ROOT / folder).rglob("*.py")
                     if re.search(r"os\.environ|getenv\(|environ\.get\(", path.read_text(encoding="utf-8")))
    assert readers == ["bot/settings.py"]


def test_a_wrong_setting_stops_a_command_with_a_french_message(monkeypatch, tmp_path, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ess.db'}")
    monkeypatch.setenv("PUBLIC_BASE_URL", "ess.valdemarne.fr")
    assert main(["drafts", "show", "ESS-2026-0001"]) == 2
    assert capsys.readouterr().err == ("Erreur : PUBLIC_BASE_URL invalide : une adresse http(s) est attendue, par "
                                       "exemple https://ess.valdemarne.fr\n")
