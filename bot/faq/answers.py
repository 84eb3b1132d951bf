"""French answers about the call, rendered from the call data file.

Each FAQ intent maps to one renderer. A renderer takes the :class:`CallFacts`
and returns plain French text (no HTML). No figure is written here: amounts,
dates, contacts and figures all come from ``call.yml``.
"""
from __future__ import annotations

from collections.abc import Callable

from bot.call.facts import CallFacts
from bot.call.format import bullets as _bullets
from bot.call.format import euros, percent
from bot.call.format import more_info as _more_info
from bot.faq.more import MORE_RENDERERS, edition_events
from bot.nlp.normalize import fold

Renderer = Callable[[CallFacts], str]


def eligible_structures(call: CallFacts) -> str:
    es = call.eligible_structures
    return (
        "Peuvent candidater les structures de l'économie sociale et solidaire (ESS) :\n"
        f"{_bullets(es.ess_organisations)}\n"
        "Les personnes ou collectifs dont la structure est en cours de création peuvent aussi candidater, "
        "à condition d'être constitués en personne morale avant le versement de l'aide.\n"
        f"Ne sont pas éligibles :\n{_bullets(es.not_eligible)}"
    )


def company_without_esus(call: CallFacts) -> str:
    return (
        "Une entreprise commerciale (SARL, SAS…) n'est éligible que si elle détient l'agrément "
        f"« Entreprise solidaire d'utilité sociale » (ESUS, {call.eligible_structures.esus_reference}). "
        "Sans cet agrément, elle ne peut pas candidater. Si vous l'obtenez, votre entreprise devient éligible."
    )


def sole_trader(call: CallFacts) -> str:
    return (
        "Non : un entrepreneur individuel ou un micro-entrepreneur (auto-entrepreneur) n'est pas une "
        "structure de l'ESS et ne peut pas candidater. Vous pouvez en revanche porter le projet au sein "
        "d'une association, d'une coopérative ou d'une entreprise agréée ESUS."
    )


def group_in_creation(call: CallFacts) -> str:
    return (
        "Oui, un collectif ou un porteur de projet dont la structure n'est pas encore créée "
        "(phase « ante-création ») peut candidater. Mais s'il est lauréat, il doit être constitué en "
        "personne morale (association, coopérative…) avant que l'aide puisse être versée."
    )


def siae(call: CallFacts) -> str:
    return (
        "Oui, les structures d'insertion par l'activité économique (SIAE : entreprises d'insertion, "
        "ateliers et chantiers d'insertion, associations intermédiaires, ETTI) peuvent candidater. "
        "Le projet doit s'inscrire dans le conventionnement de la structure avec l'État.\n"
        f"Attention : {call.aid_combination.siae_exclusion}"
    )


def amount(call: CallFacts) -> str:
    a = call.amounts
    return (
        f"Vous pouvez demander entre {euros(a.min)} et {euros(a.max)} pour votre projet. "
        f"L'aide ne peut pas dépasser {percent(a.max_share_of_budget_percent)} du coût total du projet."
    )


def cofinancing(call: CallFacts) -> str:
    a = call.amounts
    share = a.max_share_of_budget_percent
    example_budget = 20000
    example = example_budget * share / 100
    return (
        f"L'aide du Département couvre au plus {percent(share)} du coût total (éligible) du projet : "
        f"le reste doit venir d'autres ressources (fonds propres, autres financeurs, recettes…). "
        f"Par exemple, pour un projet de {euros(example_budget)}, la demande ne peut pas dépasser "
        f"{euros(example)}. La demande doit aussi rester entre {euros(a.min)} et {euros(a.max)}."
    )


def territory(call: CallFacts) -> str:
    t = call.territory
    neighbours = ", ".join(f"{n.name} ({n.code})" for n in t.neighbours)
    return (
        f"Le projet doit être domicilié dans le {t.department} (département {t.department_code}, "
        f"{len(t.communes)} communes, codes postaux en {t.postcode_prefix}xxx), avec un porteur de projet "
        f"identifié. Les départements voisins ne sont pas concernés : {neighbours}."
    )


def project_stage(call: CallFacts) -> str:
    stages = call.stages
    ok = " ou ".join(s.label for s in stages.eligible)
    return (
        f"Le projet doit être en phase d'{ok}. La structure peut être ancienne ou récente : c'est le projet "
        "qui doit être nouveau. L'appel finance des actions ou des activités, pas le fonctionnement "
        "courant d'une structure."
    )


def selection_criteria(call: CallFacts) -> str:
    labels = _bullets(c.label for c in call.selection_criteria)
    return (
        f"Les projets sont jugés sur ces critères :\n{labels}\n"
        "Demandez-moi par exemple « c'est quoi l'ancrage territorial ? » pour le détail d'un critère."
    )


def criterion(call: CallFacts, key: str | None) -> str:
    crit = call.criterion(key) if key else None
    if crit is None:
        return selection_criteria(call)
    return (
        f"{crit.label} : {crit.explanation}\n"
        f"C'est l'un des {len(call.selection_criteria)} critères sur lesquels le jury juge les projets."
    )


def process(call: CallFacts) -> str:
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(call.process.steps, 1))
    return f"Voici les étapes de l'appel à projets :\n{steps}"


def calendar(call: CallFacts) -> str:
    year, events = edition_events(call)
    if call.calendar.next_edition.published:
        return f"Calendrier de l'édition {year} :\n{_bullets(events)}"
    return (
        "Les dates de la prochaine édition ne sont pas encore publiées. "
        f"{_more_info(call)}\n"
        f"Pour vous donner une idée, voici le calendrier de l'édition {year} :\n{_bullets(events)}"
    )


def past_figures(call: CallFacts) -> str:
    lines = []
    for ed in call.past_editions:
        parts = []
        if ed.projects_received is not None:
            parts.append(f"{ed.projects_received} projets reçus")
        if ed.winners is not None:
            parts.append(f"{ed.winners} lauréats")
        if ed.total_amount is not None:
            parts.append(f"{euros(ed.total_amount)} attribués")
        elif ed.envelope_up_to is not None:
            parts.append(f"jusqu'à {euros(ed.envelope_up_to)} d'aides")
        if ed.jobs_created:
            parts.append(ed.jobs_created)
        lines.append(f"{ed.year} ({ed.label}) : " + ", ".join(parts))
    return "Quelques chiffres des éditions passées :\n" + _bullets(lines)


def ess_definition(call: CallFacts) -> str:
    ctx = call.ess_context
    return (
        "L'économie sociale et solidaire (ESS) regroupe les structures qui concilient activité économique "
        "et utilité sociale, avec une gouvernance démocratique et des bénéfices surtout réinvestis dans "
        "le projet : associations, coopératives, mutuelles, fondations et entreprises agréées ESUS. "
        f"Le {call.territory.department} compte {ctx.organisations} et {ctx.jobs}."
    )


def esus_definition(call: CallFacts) -> str:
    return (
        "L'agrément ESUS (« Entreprise solidaire d'utilité sociale ») est défini à l'"
        f"{call.eligible_structures.esus_reference}. Il reconnaît qu'une entreprise poursuit d'abord un but "
        "d'utilité sociale. Pour cet appel, une société commerciale n'est éligible qu'avec cet agrément."
    )


def ess_plan(call: CallFacts) -> str:
    ctx = call.ess_context
    return (
        f"Le Département a un {ctx.plan}, {ctx.plan_adopted}. L'appel à projets ESS en fait partie. "
        f"{_more_info(call)}"
    )


def aid_combination(call: CallFacts) -> str:
    if call.aid_combination.same_project_departmental_aid:
        base = "L'aide peut se cumuler avec une autre aide du Département pour le même projet."
    else:
        base = (
            "Non : un projet qui reçoit déjà une aide du Département pour le même projet ou programme "
            "n'est pas éligible. Les financements d'autres partenaires (État, région, communes, "
            "fondations…) restent possibles, dans la limite de "
            f"{percent(call.amounts.max_share_of_budget_percent)} du coût pour l'aide départementale."
        )
    return f"{base}\n{call.aid_combination.siae_exclusion}"


def contact(call: CallFacts) -> str:
    c = call.contact
    if c.published:
        return (
            f"Vous pouvez joindre le service : {c.service}, e-mail {c.email}, téléphone {c.phone}. "
            "Une personne vous répondra."
        )
    return (
        "Les coordonnées du service chargé de l'appel à projets ne sont pas encore publiées ici. "
        f"{_more_info(call)}"
    )


def privacy(call: CallFacts) -> str:
    days = call.privacy
    return (
        "Vos données personnelles : cet assistant répond à vos questions sans rien vous demander de "
        "personnel, mais il enregistre la conversation (vos messages et ses réponses), rattachée à un "
        "identifiant tiré au hasard. Une conversation sans pré-candidature est supprimée automatiquement "
        f"{days.conversation_days} jours après son dernier message. Si vous préparez une pré-candidature, "
        "je vous demande d'abord votre accord avant de recueillir vos coordonnées et celles de votre projet : "
        "elles servent uniquement à l'instruction de l'appel à projets par le Département, et le dossier est "
        f"conservé avec ses conversations {days.retention_days} jours après sa dernière modification, puis "
        "supprimé. Si vous refusez, aucun dossier n'est créé, et la conversation est supprimée au bout de "
        f"{days.conversation_days} jours comme les autres. Pour tout effacer tout de suite, écrivez "
        "« supprimez mes données »."
    )


FAQ_RENDERERS: dict[str, Renderer] = {
    "ask_eligible_structures": eligible_structures,
    "ask_company_without_esus": company_without_esus,
    "ask_sole_trader": sole_trader,
    "ask_group_in_creation": group_in_creation,
    "ask_siae": siae,
    "ask_amount": amount,
    "ask_cofinancing": cofinancing,
    "ask_territory": territory,
    "ask_project_stage": project_stage,
    "ask_selection_criteria": selection_criteria,
    "ask_process": process,
    "ask_calendar": calendar,
    "ask_past_figures": past_figures,
    "ask_ess_definition": ess_definition,
    "ask_esus_definition": esus_definition,
    "ask_ess_plan": ess_plan,
    "ask_aid_combination": aid_combination,
    "request_human": contact,
    "ask_privacy": privacy,
    **MORE_RENDERERS,
}

FAQ_INTENTS = tuple(FAQ_RENDERERS) + ("ask_criterion",)


# Words that point to a selection criterion, in folded (no accents) form:
# distinctive words first, then weaker hints tried only when none matched.
_CRITERION_HINTS = {
    "ancrage_territorial": (("ancrage", "ancre"), ("territori", "local")),
    "utilite_sociale": (("utilite", "utile"), ("social",)),
    "cohesion": (("cohesion", "mixite"), ()),
    "viabilite_economique": (("viab", "perenn", "rentab", "profit", "benefice"), ("economi",)),
    "emploi": (("emploi", "job", "embauch"), ("poste", "salari")),
    "innovation": (("innov", "inov", "inedit"), ("nouveau", "original", "developpement social")),
}


def find_criterion(call: CallFacts, entity: str | None, text: str = "") -> str | None:
    """The criterion key named by an entity value or, failing that, by the text."""
    keys = {c.key for c in call.selection_criteria}
    for candidate in (entity, text):
        if not candidate:
            continue
        folded = fold(candidate)
        if folded.replace(" ", "_") in keys:
            return folded.replace(" ", "_")
        for strength in (0, 1):
            for key, hints in _CRITERION_HINTS.items():
                if key in keys and any(h in folded for h in hints[strength]):
                    return key
    return None


def render_faq(intent: str, call: CallFacts, criterion_entity: str | None = None, text: str = "") -> str | None:
    """The answer for a FAQ intent, or None when the intent is not a FAQ topic."""
    if intent == "ask_criterion":
        return criterion(call, find_criterion(call, criterion_entity, text))
    renderer = FAQ_RENDERERS.get(intent)
    return renderer(call) if renderer else None
