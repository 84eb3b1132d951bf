"""Every FAQ answer is rendered from the call data file, never invents a date."""
from __future__ import annotations

import pytest

from bot.call.facts import CallDataError, load_call
from bot.faq.answers import FAQ_INTENTS, euros, find_criterion, render_faq
from tests.test_call import write_variant


@pytest.fixture
def call():
    return load_call()


WEBSITE = "https://www.valdemarne.fr"
CRITERIA = ["Ancrage territorial", "Utilité sociale", "Cohésion sociale et territoriale", "Viabilité économique",
            "Création ou consolidation d'emplois", "Innovation et développement social"]
CALENDAR_2024 = ["Réunion d'information : 5 février 2024", "du 6 février au 12 mars 2024",
                 "au plus tard le 9 avril 2024 à 17 h", "Audition par le jury : mai 2024"]

# The facts each FAQ answer must state (../shared/call-facts.md, bot/call/call.yml), written here in full rather than
# rendered from the call file, so that a wrong figure, a missing fact or two answers swapped fail.
# Dates not public yet (A_COMPLETER in call.yml) must be said to be unpublished, with the Department's website.
FAQ_FACTS = {
    "ask_eligible_structures": [
        "Peuvent candidater", "associations", "coopératives (SCOP, SCIC et autres coopératives)", "mutuelles",
        "fondations", "structures d'insertion par l'activité économique (SIAE)",
        "agrément « Entreprise solidaire d'utilité sociale » (ESUS)", "personne morale avant le versement",
        "Ne sont pas éligibles", "micro-entrepreneur", "organisme public", "entreprise commerciale sans agrément ESUS"],
    "ask_company_without_esus": [
        "entreprise commerciale (SARL, SAS…) n'est éligible que si elle détient l'agrément",
        "article L3332-17-1 du Code du travail", "Sans cet agrément, elle ne peut pas candidater"],
    "ask_sole_trader": [
        "Non : un entrepreneur individuel ou un micro-entrepreneur", "n'est pas une structure de l'ESS",
        "ne peut pas candidater", "association, d'une coopérative ou d'une entreprise agréée ESUS"],
    "ask_group_in_creation": [
        "Oui", "pas encore créée", "ante-création", "constitué en personne morale",
        "avant que l'aide puisse être versée"],
    "ask_siae": [
        "Oui, les structures d'insertion par l'activité économique", "entreprises d'insertion",
        "ateliers et chantiers d'insertion", "associations intermédiaires", "ETTI",
        "conventionnement de la structure avec l'État", "accompagnement socio-professionnel", "sont exclus"],
    "ask_amount": ["entre 5 000 € et 15 000 €", "ne peut pas dépasser 70 % du coût total du projet"],
    "ask_cofinancing": [
        "au plus 70 % du coût total", "autres financeurs", "pour un projet de 20 000 €",
        "ne peut pas dépasser 14 000 €", "entre 5 000 € et 15 000 €"],
    "ask_territory": [
        "domicilié dans le Val-de-Marne", "département 94", "47 communes", "codes postaux en 94xxx",
        "porteur de projet identifié", "Paris (75)", "Seine-et-Marne (77)", "Essonne (91)", "Hauts-de-Seine (92)",
        "Seine-Saint-Denis (93)"],
    "ask_project_stage": [
        "émergence (étude de faisabilité, expérimentation)", "démarrage", "c'est le projet qui doit être nouveau",
        "pas le fonctionnement courant"],
    "ask_selection_criteria": ["jugés sur ces critères", *CRITERIA],
    "ask_criterion": ["Ancrage territorial :", "fortement lié au Val-de-Marne", "partenaires locaux",
                      "l'un des 6 critères"],
    "ask_process": [
        "1. Réunion d'information", "2. Pré-candidature en ligne", "3. Réponse personnalisée",
        "recevable", "4. Si le projet est recevable : envoi d'un dossier complet", "5. Audition",
        "jury", "remise des prix"],
    "ask_calendar": ["dates de la prochaine édition ne sont pas encore publiées", WEBSITE, "l'édition 2024",
                     *CALENDAR_2024],
    "ask_past_figures": [
        "2023", "47 projets reçus, 13 lauréats, 150 000 € attribués, environ 20 emplois créés",
        "2019 (8e édition) : 19 projets reçus, 13 lauréats, 100 000 € attribués",
        "2017 (édition 2017) : jusqu'à 100 000 € d'aides", "2016 (édition 2016) : 9 lauréats, 95 000 € attribués"],
    "ask_ess_definition": [
        "L'économie sociale et solidaire (ESS)", "utilité sociale", "gouvernance démocratique",
        "associations, coopératives, mutuelles, fondations et entreprises agréées ESUS",
        "Le Val-de-Marne compte plus de 2 850 structures de l'ESS", "plus de 42 000 emplois"],
    "ask_esus_definition": [
        "agrément ESUS (« Entreprise solidaire d'utilité sociale »)", "article L3332-17-1 du Code du travail",
        "une société commerciale n'est éligible qu'avec cet agrément"],
    "ask_ess_plan": [
        "Plan départemental de soutien à l'ESS 2021-2025", "adopté à l'unanimité le 12 avril 2022", WEBSITE],
    "ask_aid_combination": [
        "Non : un projet qui reçoit déjà une aide du Département pour le même projet", "n'est pas éligible",
        "autres partenaires", "70 % du coût", "SIAE", "accompagnement socio-professionnel"],
    "request_human": ["coordonnées du service", "ne sont pas encore publiées", WEBSITE],
    "ask_privacy": [
        "identifiant tiré au hasard", "supprimée automatiquement 30 jours après son dernier message",
        "votre accord", "conservé avec ses conversations 180 jours", "aucun dossier n'est créé",
        "« supprimez mes données »"],
    "ask_rules_document": [
        "règlement", "cahier des charges", "n'est pas encore publié",
        "« Appel à projets en faveur de l'économie sociale et solidaire (ESS) »", WEBSITE, "ESUS",
        "domicilié dans le Val-de-Marne", "émergence", "démarrage", "de 5 000 € à 15 000 €",
        "au plus 70 % du coût total", "sur 6 critères"],
    "ask_total_envelope": [
        "L'enveloppe totale de la prochaine édition n'est pas encore publiée", WEBSITE,
        "2023 : 150 000 €, partagés entre 13 lauréats", "2019 : 100 000 €", "2017 : jusqu'à 100 000 €",
        "2016 : 95 000 €", "entre 5 000 € et 15 000 €"],
    "ask_admissibility_answer": [
        "réponse personnalisée", "recevable", "dossier complet par voie électronique",
        "La date de cette réponse n'est pas publiée", WEBSITE, *CALENDAR_2024],
    "ask_ess_figures": [
        "Le Val-de-Marne compte plus de 2 850 structures de l'ESS", "plus de 42 000 emplois dans l'ESS",
        "Plan départemental de soutien à l'ESS 2021-2025", "adopté à l'unanimité le 12 avril 2022"],
}
RENDER_ARGS = {"ask_criterion": {"criterion_entity": "ancrage territorial"}}


def faq_answer(intent, call):
    return render_faq(intent, call, **RENDER_ARGS.get(intent, {}))


def test_every_faq_intent_has_its_facts():
    assert sorted(FAQ_FACTS) == sorted(FAQ_INTENTS)


@pytest.mark.parametrize("intent", FAQ_INTENTS)
def test_every_faq_intent_has_a_french_answer_with_its_facts(call, intent):
    text = faq_answer(intent, call)
    assert "A_COMPLETER" not in text and "à compléter" not in text.lower()
    assert "<" not in text
    missing = [fact for fact in FAQ_FACTS[intent] if fact not in text]
    assert not missing, (intent, missing, text)


def test_the_facts_tell_every_answer_apart(call):
    """No answer states all the facts of another intent: two renderers swapped fail the test above."""
    answers = {intent: faq_answer(intent, call) for intent in FAQ_INTENTS}
    confusable = [(intent, other) for intent in FAQ_INTENTS for other in FAQ_INTENTS
                  if other != intent and all(fact in answers[other] for fact in FAQ_FACTS[intent])]
    assert confusable == []


def test_unknown_intent_has_no_answer(call):
    assert render_faq("greet", call) is None


def test_amount_answer_uses_the_data_file(call):
    text = render_faq("ask_amount", call)
    assert "5 000 €" in text and "15 000 €" in text and "70 %" in text


def test_amount_answer_follows_an_edited_file(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].__setitem__("max", 20000))
    text = render_faq("ask_amount", load_call(path))
    assert "20 000 €" in text and "15 000 €" not in text


def test_calendar_without_next_dates_says_not_published(call):
    text = render_faq("ask_calendar", call)
    assert "pas encore publiées" in text
    assert call.edition.website in text
    assert "2024" in text  # the latest public calendar, presented as such


def test_calendar_with_next_dates(tmp_path):
    next_edition = {"year": 2027, "events": ["Pré-candidature : du 1er au 28 février 2027"]}
    path = write_variant(tmp_path, lambda d: d["calendar"].__setitem__("next_edition", next_edition))
    text = render_faq("ask_calendar", load_call(path))
    assert "2027" in text and "pas encore publiées" not in text


def test_contact_placeholder_points_to_the_website(call):
    text = render_faq("request_human", call)
    assert "pas encore publiées" in text and call.edition.website in text


def test_past_figures(call):
    text = render_faq("ask_past_figures", call)
    assert "47 projets reçus" in text and "13 lauréats" in text and "150 000 €" in text


@pytest.mark.parametrize(
    "entity, text, expected",
    [
        ("ancrage territorial", "", "ancrage_territorial"),
        (None, "c'est quoi l'utilite sociale", "utilite_sociale"),
        ("cohésion sociale et territoriale", "", "cohesion"),
        (None, "la viabilité économique ça veut dire quoi", "viabilite_economique"),
        ("création d'emplois", "", "emploi"),
        (None, "et l'innovation ?", "innovation"),
        (None, "blabla", None),
    ],
)
def test_find_criterion(call, entity, text, expected):
    assert find_criterion(call, entity, text) == expected


def test_criterion_answer_explains_it(call):
    text = render_faq("ask_criterion", call, criterion_entity="ancrage territorial")
    assert text.startswith("Ancrage territorial :")


def test_euros_formatting():
    assert euros(5000) == "5 000 €"
    assert euros(10500.5) == "10 500,50 €"


# --- Questions added for issue 8: rules document, total envelope, admissibility answer, ESS figures,
# innovation and profitability (through the criteria). Each answer states the facts of call.yml.


def test_rules_document_not_published_points_to_the_department_page(call):
    text = render_faq("ask_rules_document", call)
    assert "règlement" in text and "cahier des charges" in text
    assert "pas encore publié" in text
    assert call.edition.website in text and call.rules_document.page_title in text
    # the essentials of the rules, from the data file
    assert "5 000 €" in text and "15 000 €" in text and "70 %" in text
    assert "Val-de-Marne" in text and "ESUS" in text and "démarrage" in text


def test_rules_document_with_a_link(tmp_path):
    url = "https://www.valdemarne.fr/reglement-ess-2027.pdf"
    path = write_variant(tmp_path, lambda d: d["rules_document"].__setitem__("url", url))
    text = render_faq("ask_rules_document", load_call(path))
    assert url in text and "pas encore publié" not in text


def test_total_envelope_not_published_gives_past_envelopes(call):
    text = render_faq("ask_total_envelope", call)
    assert "n'est pas encore publiée" in text and call.edition.website in text
    assert "2023 : 150 000 €, partagés entre 13 lauréats" in text
    assert "2019 : 100 000 €" in text and "2016 : 95 000 €" in text
    assert "2017 : jusqu'à 100 000 €" in text
    assert "5 000 €" in text and "15 000 €" in text


def test_total_envelope_published(tmp_path):
    path = write_variant(tmp_path, lambda d: d["envelope"].__setitem__("next_edition", 160000))
    text = render_faq("ask_total_envelope", load_call(path))
    assert "160 000 €" in text and "pas encore publiée" not in text


def test_envelope_must_be_an_amount_or_the_placeholder(tmp_path):
    path = write_variant(tmp_path, lambda d: d["envelope"].__setitem__("next_edition", "beaucoup"))
    with pytest.raises(CallDataError, match=r"envelope\.next_edition"):
        load_call(path)


def test_admissibility_answer_explains_the_step_and_never_invents_a_date(call):
    text = render_faq("ask_admissibility_answer", call)
    assert "réponse personnalisée" in text and "recevable" in text and "dossier complet" in text
    assert "n'est pas publiée" in text and call.edition.website in text
    # the latest public calendar, presented as such
    assert "2024" in text and "12 mars 2024" in text and "9 avril 2024 à 17 h" in text


def test_admissibility_answer_date_published(tmp_path):
    path = write_variant(tmp_path, lambda d: d["admissibility"].__setitem__("answer_date", "début avril 2027"))
    text = render_faq("ask_admissibility_answer", load_call(path))
    assert "début avril 2027" in text and "pas publiée" not in text


def test_ess_figures(call):
    text = render_faq("ask_ess_figures", call)
    assert "Val-de-Marne" in text
    assert "plus de 2 850 structures de l'ESS" in text and "plus de 42 000 emplois" in text


def test_new_questions_are_faq_intents():
    for intent in ("ask_rules_document", "ask_total_envelope", "ask_admissibility_answer", "ask_ess_figures"):
        assert intent in FAQ_INTENTS


@pytest.mark.parametrize(
    "text, label, facts",
    [
        ("faut-il être rentable ?", "Viabilité économique", ["pouvoir durer", "70 %", "après l'aide"]),
        ("on doit faire des bénéfices ?", "Viabilité économique", ["pouvoir durer"]),
        ("est-ce que le projet doit être innovant ?", "Innovation et développement social",
         ["édition 2023", "réponse nouvelle"]),
        ("faut etre inovant ?", "Innovation et développement social", ["édition 2023"]),
    ],
)
def test_innovation_and_profitability_are_answered_by_their_criterion(call, text, label, facts):
    answer = render_faq("ask_criterion", call, text=text)
    assert answer.startswith(f"{label} :")
    assert f"l'un des {len(call.selection_criteria)} critères" in answer
    for fact in facts:
        assert fact in answer


def test_past_figures_include_the_2017_envelope(call):
    assert "2017 (édition 2017) : jusqu'à 100 000 € d'aides" in render_faq("ask_past_figures", call)
