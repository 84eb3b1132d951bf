"""Rasa's per-message waste removed in its own process (bot/rasa/event_types.py, bot/rasa/spacy_model.py): the
same answers as Rasa's own code, for less work."""
from __future__ import annotations

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.rasa import action_client, event_types, spacy_model
from bot.rasa import validation as rasa_validation
from bot.rasa.channels import SafeRestInput

TYPE_NAMES = sorted({cls.type_name for cls in all_subclasses(Event)})
MESSAGES = ["combien on peut demander ?", "notre asso est a creteil, on demande 12000 euros pour 2 salariés",
            "Une SCOP sans agrément ESUS peut-elle candidater ?"]


@pytest.mark.parametrize("type_name", TYPE_NAMES)
def test_every_event_type_resolves_to_rasas_class_twice(type_name):
    expected = event_types.RASA_OWN(type_name)
    assert event_types.resolve_by_type(type_name) is expected
    assert event_types.resolve_by_type(type_name) is expected  # from the table
    assert event_types._found[type_name] is expected


def test_unknown_names_get_rasas_answers():
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        event_types.resolve_by_type("no_such_event")
    assert event_types.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert event_types.resolve_by_type("topic") is None
    assert "no_such_event" not in event_types._found and "topic" not in event_types._found


def test_installed_the_events_read_back_are_the_same(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.RASA_OWN))
    events = [UserUttered("bonjour", {"name": "greet", "confidence": 0.9}), ActionExecuted("utter_greet"),
              SlotSet("amount", 12000.0)]
    rasa_own = [Event.from_parameters(e.as_dict()) for e in events]
    event_types.install()
    assert Event.resolve_by_type("slot") is SlotSet
    assert [Event.from_parameters(e.as_dict()) for e in events] == rasa_own == events


@pytest.fixture(scope="module")
def models():
    """Rasa's spaCy model as Rasa loads it, and ours."""
    return SpacyNLP.load_model("fr_core_news_sm").model, spacy_model.load_model("fr_core_news_sm").model


def test_our_spacy_model_has_no_ner_and_gives_the_same_tokens_lemmas_and_vectors(models):
    rasa_own, ours = models
    assert "ner" in rasa_own.pipe_names and "ner" not in ours.component_names
    assert {"tok2vec", "morphologizer", "lemmatizer"} <= set(ours.pipe_names)
    for text in MESSAGES:
        a, b = rasa_own(text.lower()), ours(text.lower())
        assert [(t.text, t.lemma_, t.pos_) for t in a] == [(t.text, t.lemma_, t.pos_) for t in b]
        assert (a.vector == b.vector).all() and all((x.vector == y.vector).all() for x, y in zip(a, b, strict=True))


def test_no_component_of_our_pipeline_reads_spacys_entities():
    names = [c["name"] for c in yaml.safe_load(open("config.yml", encoding="utf-8"))["pipeline"]]
    assert "SpacyNLP" in names and "SpacyEntityExtractor" not in names


def test_the_channel_installs_every_speedup(monkeypatch, rasa_patch_points):
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.RASA_OWN))
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(spacy_model.RASA_OWN))
    SafeRestInput().blueprint(lambda message: None)
    assert Event.resolve_by_type is event_types.resolve_by_type
    assert SpacyNLP.load_model is spacy_model.load_model
    assert RemoteAction._validate_action_result is rasa_validation.validate_action_result
    assert EndpointConfig.request is action_client.request
