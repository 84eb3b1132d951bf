"""The mails' contents (bot/mail/compose.py and bot/mail/templates/): facts from the draft and from the call
data only, « dates à venir » while the dates are not published, the failed criteria of a refusal, French
labels, escaped HTML, the privacy link from PUBLIC_BASE_URL and the deletion instructions in every mail."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from bot.call.facts import DEFAULT_CALL_FILE, get_call
from bot.db.models import Draft
from bot.db.outbox import Composed
from bot.eligibility.rules import evaluate
from bot.mail.compose import (
    MISSING_REASON,
    UPCOMING,
    answer_template,
    compose_answer,
    compose_correction,
    compose_recorded,
    public_base_url,
)

ANSWERS = {"structure": "association", "commune": "Créteil", "stage": "startup", "amount": 12000,
           "total_budget": 40000, "other_department_aid": False}


def draft(**values) -> Draft:
    answers = {**ANSWERS, **{k: v for k, v in values.items() if k in ANSWERS}}
    verdict = evaluate(answers, get_call())
    columns = dict(reference="ESS-2026-0042", conversation_id="conv", status="in_review", org_name="Les Jardins",
                   legal_form=answers["structure"], siret="73282932000074", commune=answers["commune"],
                   contact_name="Marie Curie", email="marie@exemple.fr", phone="06 12 34 56 78",
                   project_title="Jardin partagé", project_description="Un jardin\nau pied des immeubles.",
                   beneficiaries="habitants", jobs=2, start_date=date(2026, 9, 1), amount=Decimal(answers["amount"]),
                   total_budget=Decimal(answers["total_budget"]), stage=answers["stage"],
                   other_department_aid=answers["other_department_aid"], verdict=verdict.verdict,
                   verdict_reasons=verdict.to_dict()["reasons"])
    columns.update({k: v for k, v in values.items() if k not in ANSWERS})
    return Draft(**columns)


@pytest.fixture(autouse=True)
def base_url(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ess.valdemarne.test/")
    monkeypatch.delenv("CALL_FILE", raising=False)


def call_file(tmp_path, monkeypatch, **changes) -> None:
    """Use a copy of bot/call/call.yml with some sections replaced (a new path: a fresh load)."""
    data = yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CALL_FILE", str(path))


def everywhere(composed: Composed, *needles: str) -> None:
    for needle in needles:
        assert needle in composed.text, needle
        assert needle in composed.html, needle


def test_every_mail_links_the_privacy_page_and_says_how_to_resume_and_delete():
    d = draft()
    mails = [compose_recorded(d), compose_answer(d, "admissible", answer_template(d, "admissible")),
             compose_answer(d, "not_admissible", "Non."), compose_correction(d, ["commune"], "Précisez.")]
    for mail in mails:
        everywhere(mail, "https://ess.valdemarne.test/confidentialite", "supprimez mes données",
                   "reprendre mon dossier ESS-2026-0042", "Bonjour Marie Curie,", "180 jours")
        assert 'href="https://ess.valdemarne.test/confidentialite"' in mail.html
        assert "ESS-2026-0042" in mail.subject and "\n" not in mail.subject
        assert "A_COMPLETER" not in mail.text + mail.html + mail.subject
        assert mail.html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in mail.html
        assert "<link" not in mail.html and "<img" not in mail.html and "<script" not in mail.html
        assert "Contact :" not in mail.text  # the service's contact is not published in call.yml


def test_the_recorded_mail_lists_the_reference_and_the_values_with_french_labels():
    mail = compose_recorded(draft(org_name="Les <b>Jardins</b>"))
    assert mail.subject == "Votre pré-candidature ESS-2026-0042 est enregistrée"
    for line in ("- Structure : Les <b>Jardins</b>", "- Forme juridique : association",
                 "- SIRET ou RNA : 73282932000074", "- Montant demandé : 12 000 €", "- Budget total : 40 000 €",
                 "- Date de démarrage prévue : 01/09/2026", "- Stade du projet : démarrage",
                 "- Autre aide du Département : non", "- Emplois créés ou consolidés : 2",
                 "- Description : Un jardin\n  au pied des immeubles."):
        assert line in mail.text, line
    assert "Les &lt;b&gt;Jardins&lt;/b&gt;" in mail.html and "<b>Jardins" not in mail.html
    assert "Un jardin<br>\nau pied des immeubles." in mail.html
    assert "code à 6 chiffres" in mail.text and "marie@exemple.fr" in mail.text


def test_a_group_in_creation_has_no_identifier_line():
    mail = compose_recorded(draft(structure="group_in_creation", siret=None))
    assert "SIRET" not in mail.text and "collectif pas encore constitué" in mail.text


def test_admissible_while_the_dates_are_not_published_says_dates_a_venir():
    message = answer_template(draft(), "admissible")
    assert "est recevable" in message and "envoi d'un dossier complet par voie électronique" in message
    assert f"Date limite d'envoi du dossier complet : {UPCOMING}" in message and UPCOMING == "dates à venir"
    assert "2024" not in message  # the last public calendar is not this edition's
    assert "ne garantit pas l'obtention de l'aide" in message


def test_admissible_with_the_published_dates_gives_the_deadline(tmp_path, monkeypatch):
    events = ["Pré-candidature en ligne : du 3 février au 10 mars 2027",
              "Dossier complet (projets recevables) : au plus tard le 9 avril 2027 à 17 h",
              "Audition par le jury : mai 2027"]
    call_file(tmp_path, monkeypatch, calendar={**yaml.safe_load(DEFAULT_CALL_FILE.read_text())["calendar"],
                                               "next_edition": {"year": 2027, "events": events}})
    message = answer_template(draft(), "admissible")
    assert "Calendrier de l'édition 2027 :\n- Dossier complet (projets recevables) : au plus tard le 9 avril 2027 à " \
           "17 h" in message
    assert UPCOMING not in message and "Pré-candidature en ligne" not in message  # the complete file's date only


def test_admissible_lists_the_conditions_to_meet():
    message = answer_template(draft(structure="group_in_creation", siret=None), "admissible")
    assert "À noter :\n- Forme juridique : Un collectif dont la structure n'est pas encore créée" in message


def test_not_admissible_lists_the_failed_criteria_only():
    d = draft(commune="Paris", amount=20000, total_budget=25000)
    message = answer_template(d, "not_admissible")
    assert "n'est pas recevable" in message
    assert "- Territoire : Paris (75) n'est pas dans le Val-de-Marne" in message
    assert "- Montant demandé : Le montant demandé (20 000 €) dépasse le maximum de 15 000 €." in message
    assert "- Part du budget : Vous demandez 20 000 €" in message
    assert "Forme juridique" not in message and "Stade du projet" not in message and MISSING_REASON not in message


def test_not_admissible_without_a_failed_criterion_asks_the_reviewer_for_the_reason():
    message = answer_template(draft(), "not_admissible")
    assert f"- {MISSING_REASON}" in message


def test_the_reviewer_message_is_sent_as_written_and_escaped_in_html():
    message = "Bonjour <script>alert('x')</script>\nDeuxième ligne & fin.\n\nNouveau paragraphe."
    mail = compose_answer(draft(), "admissible", message)
    assert mail.subject == "Pré-candidature ESS-2026-0042 : votre projet est recevable"
    assert message in mail.text
    assert "<script>" not in mail.html
    assert "Bonjour &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>\nDeuxième ligne &amp; fin.</p>" in mail.html
    assert mail.html.count("Nouveau paragraphe.") == 1 and "<p" in mail.html.split("Nouveau paragraphe.")[0][-40:]
    with pytest.raises(ValueError, match="vide"):
        compose_answer(draft(), "admissible", "  \n ")
    with pytest.raises(ValueError, match="Réponse inconnue"):
        answer_template(draft(), "incomplete")


def test_the_correction_mail_names_the_fields_in_french_with_the_comment():
    mail = compose_correction(draft(), ["commune", "legal_form", "commune"], "Le SIRET <ne correspond pas>.")
    assert mail.subject == "Pré-candidature ESS-2026-0042 : des informations à corriger"
    assert "- Forme juridique (actuellement : association)\n- Commune (actuellement : Créteil)" in mail.text
    assert "Le SIRET <ne correspond pas>." in mail.text and "Le SIRET &lt;ne correspond pas&gt;." in mail.html
    assert "confirmez le récapitulatif" in mail.text and "la commune c'est Créteil" in mail.text
    with pytest.raises(ValueError, match="Champ inconnu : password"):
        compose_correction(draft(), ["password"], "")


def test_the_contact_appears_once_published(tmp_path, monkeypatch):
    call_file(tmp_path, monkeypatch, contact={"service": "Service ESS", "email": "ess@valdemarne.test",
                                              "phone": "01 43 99 00 00"})
    everywhere(compose_recorded(draft()), "Contact : Service ESS, ess@valdemarne.test, 01 43 99 00 00")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ess.valdemarne.fr", "https://ess.test/?a=b"])
def test_an_invalid_public_base_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("PUBLIC_BASE_URL", url)
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL invalide"):
        compose_recorded(draft())


def test_the_default_public_base_url(monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL")
    assert public_base_url() == "http://localhost:8000"
    assert "http://localhost:8000/confidentialite" in compose_recorded(draft()).text
