"""An answer that leaves the verdict exactly as shown gets one short sentence, not the same card again; a SIRET
left for later is explained for the kind of structure the applicant has."""
from __future__ import annotations

from actions.eligibility import VERDICT_SLOT, ActionGiveVerdict
from bot.forms import messages as say

SARL = {"structure": "company_no_esus", "esus": False, "commune": "Créteil"}


def test_the_same_verdict_is_not_shown_twice_as_a_card(make_tracker, dispatcher):
    first = ActionGiveVerdict().run(dispatcher, make_tracker(slots=SARL, text="non pas d'agrément"), {})
    shown = first[0]["value"]
    assert first[0]["name"] == VERDICT_SLOT and dispatcher.messages[0]["custom"]["verdict"] == "ineligible"
    again = type(dispatcher)()
    events = ActionGiveVerdict().run(again, make_tracker(slots={**SARL, VERDICT_SLOT: shown}, text="12000"), {})
    assert events == [] and len(again.messages) == 1
    message = again.messages[0]
    assert message["text"].startswith("Cela ne change pas le résultat de la vérification : d'après vos réponses")
    assert "agrément ESUS" in message["text"] and not message.get("custom")
    assert message["buttons"] == dispatcher.messages[0]["buttons"]  # the same ways on, no dead end


def test_a_changed_verdict_is_shown_in_full(make_tracker, dispatcher):
    ActionGiveVerdict().run(dispatcher, make_tracker(slots=SARL), {})
    shown = dispatcher.messages[0]["custom"]
    changed = type(dispatcher)()
    events = ActionGiveVerdict().run(changed, make_tracker(slots={**SARL, "commune": "Vitry-sur-Seine",
                                                                  VERDICT_SLOT: {"verdict": "ineligible"}}), {})
    assert events and changed.messages[0]["custom"]["verdict"] == shown["verdict"]
    assert "Vitry-sur-Seine" in changed.messages[0]["text"]


def test_a_siret_for_later_is_explained_for_the_structure():
    assert "déclaration en préfecture" in say.siret_before_payment("association")
    assert "déclaration en préfecture" not in say.siret_before_payment("company_no_esus")
    assert "immatriculation" in say.siret_before_payment("cooperative")
