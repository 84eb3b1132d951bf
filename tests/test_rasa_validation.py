"""The action server's replies are checked by Rasa with a validator built once (bot/rasa/validation.py):
the same verdict and the same error as Rasa's own check, on valid and invalid replies."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa import validation as rasa_validation

RASA_OWN = RemoteAction._validate_action_result

VALID = [
    {"events": [{"event": "slot", "name": "amount", "value": 12000.0, "timestamp": None}], "responses": []},
    {"events": [], "responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "oui"}]}]},
    {"events": [{"event": "followup", "name": "application_form"}, {"event": "active_loop", "name": None}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"name": "amount", "value": 1}]},  # no "event"
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["a string, not an object"]},
]


@pytest.fixture
def action():
    return RemoteAction("action_test", None)


@pytest.mark.parametrize("reply", VALID)
def test_a_valid_reply_passes_as_with_rasa(action, reply):
    assert RASA_OWN(action, reply) is True
    assert rasa_validation.validate_action_result(action, reply) is True


@pytest.mark.parametrize("reply", INVALID)
def test_an_invalid_reply_raises_the_same_error_as_with_rasa(action, reply):
    with pytest.raises(ValidationError) as rasa_error:
        RASA_OWN(action, reply)
    with pytest.raises(ValidationError) as ours:
        rasa_validation.validate_action_result(action, reply)
    assert ours.value.message == rasa_error.value.message
    assert list(ours.value.path) == list(rasa_error.value.path)


def test_the_validator_is_built_once(action):
    first = rasa_validation._validator()
    rasa_validation.validate_action_result(action, VALID[0])
    assert rasa_validation._validator() is first


def test_install_replaces_rasas_check_unless_disabled(monkeypatch, action):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_OWN)
    monkeypatch.setenv("RASA_FAST_VALIDATION", "0")
    assert rasa_validation.install() is False and RemoteAction._validate_action_result is RASA_OWN
    monkeypatch.delenv("RASA_FAST_VALIDATION")
    assert rasa_validation.install() is True
    assert RemoteAction._validate_action_result is rasa_validation.validate_action_result
    assert action._validate_action_result(VALID[0]) is True
    with pytest.raises(ValidationError):
        action._validate_action_result(INVALID[1])


def test_the_rest_channel_installs_it(monkeypatch, rasa_patch_points):
    from bot.rasa.channels import SafeRestInput

    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_OWN)

    async def on_message(message):
        return None

    SafeRestInput().blueprint(on_message)
    assert RemoteAction._validate_action_result is rasa_validation.validate_action_result


@pytest.mark.parametrize("variable, value, message", [
    ("WEB_PORT", "huit mille", "WEB_PORT invalide : « huit mille » (un numéro de port est attendu)."),
    ("PUBLIC_BASE_URL", "ftp://exemple.fr", "PUBLIC_BASE_URL invalide : une adresse http(s) est attendue"),
])
def test_a_wrong_setting_stops_the_rest_channel_with_a_french_message(monkeypatch, caplog, rasa_patch_points, variable,
                                                                    value, message):
    """Even a variable only the website reads: Rasa stops at the channel's setup, logged in French, exit code 2."""
    from bot.rasa.channels import SafeRestInput

    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_OWN)
    monkeypatch.setenv(variable, value)

    async def on_message(message):
        return None

    with caplog.at_level("ERROR", logger="bot.rasa.channels"), pytest.raises(SystemExit) as stopped:
        SafeRestInput().blueprint(on_message)
    assert stopped.value.code == 2 and stopped.value.__cause__ is None and stopped.value.__suppress_context__
    [record] = [r for r in caplog.records if r.name == "bot.rasa.channels"]
    assert record.levelname == "ERROR" and record.exc_info is None
    assert record.getMessage().startswith("Rasa ne démarre pas, la configuration est incorrecte. " + message)
    assert RemoteAction._validate_action_result is RASA_OWN  # stopped before anything was installed
