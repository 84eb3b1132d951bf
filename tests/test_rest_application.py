"""The pre-application through the REST webhook, stored in the database the servers use."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from tests.test_rest import new_sender
from tests.test_rest_eligibility import chat

pytestmark = pytest.mark.rest

# September of next year: ahead of today whenever the test runs (a fixed year is refused a year after it passed).
START_YEAR = dt.date.today().year + 1
START_DATE = f"{START_YEAR}-09-01"
ANSWERS = [
    ("je veux préparer ma candidature", "Acceptez-vous"),
    ("oui", "nom de votre structure"),
    ("Les Jardins Partagés du Mont-Mesly", "forme juridique"),
    ("asso loi 1901", "SIRET"),
    ("732 829 320 00074", "commune"),
    ("creteil", "personne à contacter"),
    ("Je m'appelle Marie Curie", "e-mail"),
    ("marie.curie@exemple.fr", "téléphone"),
    ("06 12 34 56 78", "titre"),
    ("Un jardin pour tous", "Décrivez"),
    ("Nous voulons créer un jardin partagé ouvert aux habitants du quartier, avec des ateliers.", "public"),
    ("les habitants du quartier du Mont-Mesly", "emplois"),
    ("deux emplois", "démarrer"),
    (f"septembre {START_YEAR}", "stade"),
    ("démarrage", "montant"),
    ("12 000 €", "budget"),
    ("40k", "aide du Département"),
]


def export(live_servers):
    result = subprocess.run([sys.executable, "-m", "bot", "drafts", "export", "--format", "json"],
                            env=live_servers.env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def fill(live_servers, sender):
    for message, expected in ANSWERS:
        reply = chat(live_servers, sender, message)
        assert expected in reply, (message, reply)
    return chat(live_servers, sender, "non")


def test_full_pre_application_ends_with_a_reference_and_is_exported(live_servers):
    sender = new_sender()
    summary = fill(live_servers, sender)
    assert "récapitulatif" in summary and "marie.curie@exemple.fr" in summary
    changed = chat(live_servers, sender, "le montant c'est 9 000 en fait")
    assert "9 000 €" in changed and "récapitulatif" in changed
    confirmation = chat(live_servers, sender, "oui")
    reference = next(word.strip(".,") for word in confirmation.split() if word.startswith("ESS-"))
    [draft] = [d for d in export(live_servers) if d["reference"] == reference]
    assert draft["org_name"] == "Les Jardins Partagés du Mont-Mesly"
    assert draft["legal_form"] == "association" and draft["siret"] == "73282932000074"
    assert draft["commune"] == "Créteil" and draft["email"] == "marie.curie@exemple.fr"
    assert draft["phone"] == "06 12 34 56 78" and draft["jobs"] == 2 and draft["start_date"] == START_DATE
    assert draft["amount"] == 9000 and draft["total_budget"] == 40000 and draft["other_department_aid"] is False
    assert draft["verdict"] == "eligible" and draft["status"] == "new"

    # Resume in a new conversation: nothing is shown without the e-mail of the draft.
    other = new_sender()
    assert "e-mail" in chat(live_servers, other, f"je veux reprendre mon dossier {reference}")
    refused = chat(live_servers, other, "pirate@exemple.fr")
    assert "code à 6 chiffres" in refused and "Jardins" not in refused  # the same words whatever was wrong
    assert "Jardins" not in chat(live_servers, other, "123456")
    owner = new_sender()
    chat(live_servers, owner, f"je veux reprendre mon dossier {reference}")
    asked = chat(live_servers, owner, "Marie.Curie@exemple.fr")
    assert asked == refused  # the owner and the intruder read exactly the same message
    resumed = chat(live_servers, owner, live_servers.latest_code())
    assert reference in resumed and "récapitulatif" in resumed


def test_partial_draft_is_kept_and_deletion_removes_it(live_servers):
    sender = new_sender()
    for message, _ in ANSWERS[:5]:
        chat(live_servers, sender, message)
    drafts = [d for d in export(live_servers) if d["org_name"] == "Les Jardins Partagés du Mont-Mesly"
              and d["commune"] is None and d["siret"] == "73282932000074"]
    assert drafts, "the partial draft is saved as the applicant goes"
    before = len(export(live_servers))
    assert "supprimer" in chat(live_servers, sender, "supprimez mes données")
    assert "C'est fait" in chat(live_servers, sender, "oui")
    assert len(export(live_servers)) == before - 1
    # The conversation starts afresh: the bot no longer knows the answers.
    assert "Acceptez-vous" in chat(live_servers, sender, "je veux préparer ma candidature")


def test_invalid_email_is_explained_and_nothing_is_lost(live_servers):
    sender = new_sender()
    for message, _ in ANSWERS[:7]:
        chat(live_servers, sender, message)
    reply = chat(live_servers, sender, "marie.curie-at-exemple")
    assert "@" in reply and "e-mail" in reply
    assert "téléphone" in chat(live_servers, sender, "marie.curie@exemple.fr")


def test_without_consent_nothing_is_stored(live_servers):
    sender = new_sender()
    before = len(export(live_servers))
    chat(live_servers, sender, "je veux préparer ma candidature")
    assert "je ne crée pas de dossier" in chat(live_servers, sender, "non")
    assert len(export(live_servers)) == before
