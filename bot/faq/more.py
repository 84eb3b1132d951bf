"""More answers about the call: the rules document, the total envelope, when the
admissibility answer comes, and the weight of the ESS in the department.

Same contract as :mod:`bot.faq.answers`: a renderer takes the :class:`CallFacts` and
returns plain French text. A fact the department has not published yet (marked
``A_COMPLETER`` in ``call.yml``) is said to be unpublished, with the website.
"""
from __future__ import annotations

from collections.abc import Callable

from bot.call.facts import CallFacts
from bot.call.format import bullets, euros, more_info, percent


def edition_events(call: CallFacts) -> tuple[int | str, list[str]]:
    """(year, events) of the next edition when published, else of the latest public one."""
    edition = call.calendar.next_edition if call.calendar.next_edition.published else call.calendar.latest_public
    events = edition.events if isinstance(edition.events, list) else [edition.events]
    return edition.year, events


def rules_document(call: CallFacts) -> str:
    doc = call.rules_document
    a = call.amounts
    if doc.published:
        where = f"Le règlement de l'appel à projets (son cahier des charges) est en ligne : {doc.url}"
    else:
        where = (
            "Le lien vers le règlement (le cahier des charges) de la prochaine édition n'est pas encore "
            f"publié ici. Consultez la page « {doc.page_title} » sur le site du Département : "
            f"{call.edition.website}"
        )
    stages = " ou ".join(s.label for s in call.stages.eligible)
    criteria = ", ".join(c.label[:1].lower() + c.label[1:] for c in call.selection_criteria)
    essentials = [
        "qui peut candidater : les structures de l'économie sociale et solidaire (ESS) et les "
        "entreprises agréées ESUS ;",
        f"le territoire : un projet domicilié dans le {call.territory.department} ;",
        f"le stade du projet : {stages} ;",
        f"le montant : de {euros(a.min)} à {euros(a.max)}, au plus {percent(a.max_share_of_budget_percent)} "
        "du coût total du projet ;",
        f"la sélection par un jury, sur {len(call.selection_criteria)} critères : {criteria}.",
    ]
    return f"{where}\nVoici l'essentiel des règles, que je peux vous détailler point par point :\n{bullets(essentials)}"


def total_envelope(call: CallFacts) -> str:
    env = call.envelope
    if env.amount is not None:
        first = f"L'enveloppe totale de l'appel à projets est de {euros(env.amount)}, partagée entre les lauréats."
    else:
        first = f"L'enveloppe totale de la prochaine édition n'est pas encore publiée. {more_info(call)}"
    past = []
    for ed in call.past_editions:
        if ed.total_amount is not None:
            winners = f", partagés entre {ed.winners} lauréats" if ed.winners is not None else ""
            past.append(f"{ed.year} : {euros(ed.total_amount)}{winners}")
        elif ed.envelope_up_to is not None:
            past.append(f"{ed.year} : jusqu'à {euros(ed.envelope_up_to)}")
    a = call.amounts
    return (
        f"{first}\nPour repère, les éditions passées :\n{bullets(past)}\n"
        f"Chaque projet peut demander entre {euros(a.min)} et {euros(a.max)}."
    )


def admissibility_answer(call: CallFacts) -> str:
    adm = call.admissibility
    text = (
        "Après votre pré-candidature, le Département vous envoie une réponse personnalisée qui indique si "
        "votre projet est recevable. S'il l'est, vous envoyez ensuite un dossier complet par voie électronique."
    )
    if adm.published:
        return f"{text}\nPour cette édition, la réponse est prévue : {adm.answer_date}."
    year, events = edition_events(call)
    return (
        f"{text}\nLa date de cette réponse n'est pas publiée. {more_info(call)}\n"
        f"Pour repère, le calendrier de l'édition {year} :\n{bullets(events)}"
    )


def ess_figures(call: CallFacts) -> str:
    ctx = call.ess_context
    return (
        f"Le {call.territory.department} compte {ctx.organisations} et {ctx.jobs}. "
        f"Le Département a un {ctx.plan}, {ctx.plan_adopted}."
    )


MORE_RENDERERS: dict[str, Callable[[CallFacts], str]] = {
    "ask_rules_document": rules_document,
    "ask_total_envelope": total_envelope,
    "ask_admissibility_answer": admissibility_answer,
    "ask_ess_figures": ess_figures,
}
