"""What the call's rules say of each legal form, and of the stages it does not finance: the texts of the reasons
and of the advice that :func:`bot.eligibility.rules.evaluate` gives. Data only, no I/O.
"""
from __future__ import annotations

from bot.eligibility.verdict import CriterionStatus

# Legal forms that pass outright, with how to name them.
_ESS_FORMS = {
    "association": "Une association", "cooperative": "Une coopérative", "mutuelle": "Une mutuelle",
    "fondation": "Une fondation", "esus_company": "Une entreprise titulaire de l'agrément ESUS",
}

FormRule = tuple[CriterionStatus, str, str | None, str | None]  # status, message, source (None: general rule), advice
_NO_ESUS: FormRule = (
    "fail", "Une entreprise commerciale sans l'agrément « Entreprise solidaire d'utilité sociale » (ESUS) "
    "ne peut pas candidater.", None, "Avec l'agrément ESUS, votre entreprise deviendrait éligible.",
)
# Legal-form key -> its rule (a key not listed is to be confirmed by staff).
FORM_RULES: dict[str, FormRule] = {
    **{key: ("pass", f"{name} fait partie des structures qui peuvent candidater.", None, None)
       for key, name in _ESS_FORMS.items()},
    "company_no_esus": _NO_ESUS,
    "sole_trader": (
        "fail", "Un entrepreneur individuel ou un micro-entrepreneur (auto-entrepreneur) n'est pas une "
        "structure de l'ESS : il ne peut pas candidater.",
        "Règlement : entrepreneurs individuels et micro-entrepreneurs non éligibles",
        "Le projet pourrait être porté par une association, une coopérative ou une entreprise agréée ESUS.",
    ),
    "public_body": (
        "fail", "Un organisme public (commune, établissement public…) ne peut pas candidater : l'appel est "
        "réservé aux structures de l'ESS.",
        "Règlement : organismes publics non éligibles",
        "Le projet pourrait être porté par une structure de l'ESS partenaire, une association par exemple.",
    ),
    "group_in_creation": (
        "condition", "Un collectif dont la structure n'est pas encore créée peut candidater, mais il doit être "
        "constitué en personne morale (association, coopérative…) avant le versement de l'aide.",
        "Règlement : phase ante-création admise, personne morale exigée avant le versement de l'aide",
        "Si votre projet est retenu, créez votre structure avant le versement de l'aide.",
    ),
    "siae": (
        "condition", "Une structure d'insertion par l'activité économique (SIAE) peut candidater, à condition "
        "que le projet s'inscrive dans son conventionnement avec l'État.",
        "Règlement : SIAE éligibles, projet conforme au conventionnement avec l'État",
        None,  # the call's SIAE exclusion is added as advice
    ),
}


# A stage the call does not finance -> (why, what could change it).
STAGE_FAILURES: dict[str, tuple[str, str]] = {
    "established": (
        "L'appel finance des projets nouveaux, en phase d'émergence ou de démarrage : un projet déjà en "
        "activité depuis plusieurs années n'est pas éligible.",
        "Une action nouvelle de votre structure, en phase d'émergence ou de démarrage, pourrait candidater : "
        "la structure peut être ancienne, c'est le projet qui doit être nouveau.",
    ),
    "running_costs": (
        "L'appel finance des actions, pas le fonctionnement courant d'une structure.",
        "Une action ou une activité nouvelle et précise, avec son propre budget, pourrait candidater.",
    ),
}
