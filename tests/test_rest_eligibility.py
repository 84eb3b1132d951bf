"""The eligibility check through the REST webhook, with the trained model and real actions."""
from __future__ import annotations

import pytest

from tests.test_rest import assert_polite_french, new_sender, texts

pytestmark = pytest.mark.rest


def chat(servers, sender, message) -> str:
    status, messages = servers.send(sender, message)
    assert_polite_french(status, messages, forbidden=("<script",))
    return texts(messages)


def test_rich_opening_then_eligible(live_servers):
    sender = new_sender()
    reply = chat(live_servers, sender, "nous sommes une association de Vitry et on voudrait demander 12 000 € "
                                       "sur un budget de 40 000 €, on est éligibles ?")
    assert "stade" in reply  # structure, commune, amount and budget were understood at once
    assert "démarrage" in chat(live_servers, sender, "pourquoi vous me demandez ça ?")
    assert "stade" in chat(live_servers, sender, "c'est quoi l'ancrage territorial ?")
    assert "aide du Département" in chat(live_servers, sender, "on démarre")
    verdict = chat(live_servers, sender, "non aucune")
    assert "remplit les conditions" in verdict
    assert "Vitry-sur-Seine" in verdict and "12 000 €" in verdict and "jury" in verdict


def test_outside_the_territory_is_explained_with_every_other_criterion(live_servers):
    """A failed territory does not stop the check: the verdict lists every criterion, as the CLI does."""
    sender = new_sender()
    chat(live_servers, sender, "je veux vérifier mon éligibilité")
    chat(live_servers, sender, "asso loi 1901")
    assert "stade" in chat(live_servers, sender, "on est à Montreuil")
    chat(live_servers, sender, "démarrage")
    chat(live_servers, sender, "20000")
    chat(live_servers, sender, "10000")
    verdict = chat(live_servers, sender, "non")
    assert "pas éligible" in verdict and "Montreuil" in verdict and "Seine-Saint-Denis" in verdict
    assert "Montant demandé : ✘" in verdict and "Part du budget : ✘" in verdict


def test_company_without_esus_is_told_what_would_change(live_servers):
    sender = new_sender()
    chat(live_servers, sender, "est-ce que mon projet est éligible ?")
    assert "ESUS" in chat(live_servers, sender, "on est une SARL")
    verdict = chat(live_servers, sender, "non")
    assert "pas éligible" in verdict and "Avec l'agrément ESUS" in verdict


def test_three_answers_not_understood_offer_the_contact_and_a_way_out(live_servers):
    sender = new_sender()
    chat(live_servers, sender, "est-ce que mon projet est éligible ?")
    replies = [chat(live_servers, sender, text) for text in ("blabla", "azertyuiop", "qsdfghjklm")]
    assert len(set(replies)) == 3, "never the same message again"
    assert "par exemple" in replies[0]
    assert "service" in replies[2] and "passer cette question" in replies[2]
    assert "à préciser" in chat(live_servers, sender, "wxcvbn")  # the fourth: the question is skipped


def test_amount_over_the_budget_share_gives_the_maximum(live_servers):
    sender = new_sender()
    chat(live_servers, sender, "on peut candidater ?")
    chat(live_servers, sender, "SCOP")
    chat(live_servers, sender, "94000")
    chat(live_servers, sender, "émergence")
    chat(live_servers, sender, "12k")
    chat(live_servers, sender, "15 000 euros")
    verdict = chat(live_servers, sender, "non")
    assert "pas éligible" in verdict and "soit 10 500 €" in verdict


def test_correction_recomputes_the_verdict(live_servers):
    sender = new_sender()
    chat(live_servers, sender, "nous sommes une association de Créteil et on voudrait demander 20 000 € "
                               "sur un budget de 60 000 €, on est éligibles ?")
    chat(live_servers, sender, "démarrage")
    first = chat(live_servers, sender, "non")
    assert "pas éligible" in first and "15 000 €" in first
    assert "montant" in chat(live_servers, sender, "je me suis trompé sur le montant")
    verdict = chat(live_servers, sender, "9 000 €")
    assert "remplit les conditions" in verdict and "9 000 €" in verdict
