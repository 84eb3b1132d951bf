"""Eligibility rules of the call: the applicant's answers -> a verdict with its reasons.

Pure rules, no I/O, no Rasa; thresholds and lists come from the call data (``get_call()`` when no call is given).
Answers (:data:`ANSWER_KEYS`; other keys are ignored) are raw French text, normalised values or None.
An answer absent or not understood (amount, commune, stage, yes/no) is listed in ``Verdict.missing``: ask it again.
A legal form we do not recognise is not: the call says other legal forms are "to be confirmed by the department's
staff", and asking again would not make a "GIP" or a "fonds de dotation" recognisable. It gets an "unknown" reason
"à confirmer par le service" and advice, and the verdict stays "incomplete". The verdict and its reasons are
:mod:`bot.eligibility.verdict`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from bot.call.facts import CallFacts, get_call
from bot.eligibility.rule_texts import FORM_RULES, STAGE_FAILURES
from bot.eligibility.verdict import ANSWER_KEYS, ANSWER_LABELS, CriterionStatus, Reason, Verdict, VerdictStatus
from bot.faq.answers import euros, percent
from bot.forms.parsers import read_money
from bot.nlp import normalize

# One rule's result: its reason, the answers to ask (again) and advice sentences.
_Outcome = tuple[Reason, list[str], list[str]]
_ABSENT, _UNREADABLE = object(), object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read(value: Any, parse: Callable[[Any], Any]) -> Any:
    """The normalised value, _ABSENT (no answer) or _UNREADABLE (answer not understood)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _ABSENT
    parsed = parse(value)
    return _UNREADABLE if parsed is None else parsed


def _parse_money(value: Any) -> float | None:
    return read_money(value) if _is_number(value) or isinstance(value, str) else None


def _text_parser(parse: Callable[[Any], Any], types: tuple[type, ...] = (str,)) -> Callable[[Any], Any]:
    return lambda value: parse(value) if isinstance(value, types) else None


def _reason(criterion: str, status: CriterionStatus, message: str, source: str, ask: Iterable[str] = (),
            advice: str | None = None) -> _Outcome:
    return Reason(criterion, status, message, source), list(ask), [advice] if advice else []


def _missing(criterion: str, key: str, source: str) -> _Outcome:
    """The "unknown" outcome of an answer not given yet, and the question to ask."""
    return _reason(criterion, "unknown", f"Il me manque une réponse : {ANSWER_LABELS[key]}.", source, ask=[key])


def _not_known(criterion: str, key: str, value: Any, raw: Any, source: str) -> _Outcome | None:
    """The "unknown" outcome (and the question to ask again) when an answer is absent or not understood."""
    if value is _ABSENT:
        return _missing(criterion, key, source)
    if value is _UNREADABLE:
        return _reason(criterion, "unknown", f"Je n'ai pas compris votre réponse « {raw} » ({ANSWER_LABELS[key]}).",
                       source, ask=[key])
    return None


def _cents(amount: float) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value(ROUND_HALF_UP))


def _legal_form(form: Any, esus: Any, raw: Any, call: CallFacts) -> _Outcome:
    src = f"Règlement : structures de l'ESS, entreprises agréées ESUS ({call.eligible_structures.esus_reference})"
    if form is _ABSENT:
        return _missing("legal_form", "structure", src)
    if form == "company":
        if esus is None:
            return _reason("legal_form", "unknown", "Une entreprise commerciale ne peut candidater que si elle "
                           "détient l'agrément ESUS : il faut savoir si c'est votre cas.", src, ask=["esus"])
        form = "esus_company" if esus else "company_no_esus"
    rule = FORM_RULES.get(form)
    if rule is None:  # not recognised: to be confirmed by staff, not asked again (see the module docstring)
        return _reason(
            "legal_form", "unknown", f"Je n'ai pas reconnu la forme juridique « {raw} » : son éligibilité est "
            "à confirmer par le service du Département.",
            "Règlement : les autres formes juridiques sont à confirmer par le service du Département",
            advice="Précisez votre forme juridique (association, coopérative, entreprise agréée ESUS…) ou "
            "faites-la confirmer par le service du Département.",
        )
    status, message, source, advice = rule
    if form == "siae":
        advice = " ".join(call.aid_combination.siae_exclusion.split())
    return _reason("legal_form", status, message, source or src, advice=advice)


def _department_label(match: normalize.CommuneMatch) -> str:
    if not match.department:
        return match.name
    dep = re.sub(r"^(.*) \((\w+)\)$", r"\1, \2", match.department)
    return match.department if dep.split(",")[0] == match.name else f"{match.name} ({dep})"


def _territory(match: Any, raw: Any, call: CallFacts) -> _Outcome:
    t = call.territory
    src = f"Règlement : projet domicilié dans le {t.department} ({t.department_code})"
    unknown = _not_known("territory", "commune", match, raw, src)
    if unknown:
        return unknown
    if match.in_territory:
        return _reason("territory", "pass", f"{match.name} est dans le {t.department} : le projet peut y être "
                       "domicilié.", src)
    return _reason(
        "territory", "fail", f"{_department_label(match)} n'est pas dans le {t.department} : le projet doit être "
        f"domicilié dans l'une des {len(t.communes)} communes du département.", src,
        advice=f"Un projet domicilié dans le {t.department} (codes postaux en {t.postcode_prefix}xxx) pourrait "
        "candidater.",
    )


def _stage(stage: Any, raw: Any, call: CallFacts) -> _Outcome:
    ok = {s.key: s.label for s in call.stages.eligible}
    not_ok = {s.key: s.label for s in call.stages.not_eligible}
    ok_text = " ou ".join(f"« {label} »" for label in ok.values())
    src = f"Règlement : projets au stade {ok_text} ; des actions, pas le fonctionnement courant"
    unknown = _not_known("stage", "stage", stage, raw, src)
    if unknown:
        return unknown
    if stage in ok:
        return _reason("stage", "pass", f"Le projet en est au stade « {ok[stage]} », que l'appel finance.", src)
    if stage in not_ok:
        generic = f"Le stade « {not_ok[stage]} » n'est pas financé : l'appel finance les projets au stade {ok_text}."
        message, advice = STAGE_FAILURES.get(stage, (generic, None))
        return _reason("stage", "fail", message, src, advice=advice)
    return _reason("stage", "unknown", f"Le stade « {stage} » est à confirmer par le service du Département.", src)


def _amount_range(amount: Any, raw: Any, call: CallFacts) -> _Outcome:
    a = call.amounts
    src = f"Règlement : aide comprise entre {euros(a.min)} et {euros(a.max)}"
    unknown = _not_known("amount_range", "amount", amount, raw, src)
    if unknown:
        return unknown
    asked, text = _cents(amount), euros(amount)
    if asked < a.min * 100:
        return _reason("amount_range", "fail", f"Le montant demandé ({text}) est inférieur au minimum de "
                       f"{euros(a.min)}.", src, advice=f"En portant la demande à {euros(a.min)} au moins, le "
                       "montant serait dans les limites de l'appel.")
    if asked > a.max * 100:
        return _reason("amount_range", "fail", f"Le montant demandé ({text}) dépasse le maximum de "
                       f"{euros(a.max)}.", src, advice=f"En ramenant la demande à {euros(a.max)} au plus, le "
                       "montant serait dans les limites de l'appel.")
    return _reason("amount_range", "pass", f"Le montant demandé ({text}) est compris entre {euros(a.min)} et "
                   f"{euros(a.max)}.", src)


def _budget_share(amount: Any, budget: Any, call: CallFacts) -> _Outcome:
    a = call.amounts
    ratio = Decimal(str(a.max_share_of_budget_percent))
    share = percent(a.max_share_of_budget_percent)
    src = f"Règlement : aide limitée à {share} du coût total du projet"
    ask = [key for key, value in (("amount", amount), ("total_budget", budget)) if value in (_ABSENT, _UNREADABLE)]
    if ask:
        return _reason("budget_share", "unknown", "Il faut le montant demandé et le coût total du projet pour "
                       f"vérifier que l'aide ne dépasse pas {share} du coût.", src, ask=ask)
    asked, total = _cents(amount), _cents(budget)
    cap = int((total * ratio / 100).to_integral_value(ROUND_FLOOR))  # in cents
    if asked <= cap:
        return _reason("budget_share", "pass", f"Le montant demandé ({euros(amount)}) représente "
                       f"{percent(round(asked * 100 / total, 1))} du coût total du projet ({euros(budget)}), dans "
                       f"la limite de {share}.", src)
    if asked > total:
        message = (f"Le montant demandé ({euros(amount)}) dépasse le coût total du projet ({euros(budget)}), alors "
                   f"que l'aide ne peut pas dépasser {share} de ce coût, soit {euros(cap / 100)}.")
    else:
        message = (f"Vous demandez {euros(amount)}, mais l'aide ne peut pas dépasser {share} du coût total du "
                   f"projet ({euros(budget)}), soit {euros(cap / 100)}.")
    if cap >= a.min * 100:
        advice = (f"En ramenant la demande à {euros(min(cap, a.max * 100) / 100)} au plus, ou avec un coût total "
                  "plus élevé financé par d'autres ressources, l'aide respecterait cette limite.")
    else:
        least = int((Decimal(a.min * 100) * 100 / ratio).to_integral_value(ROUND_CEILING))
        advice = f"Pour demander au moins {euros(a.min)}, le coût total du projet doit atteindre {euros(least / 100)}."
    return _reason("budget_share", "fail", message, src, advice=advice)


def _other_aid(aid: Any, raw: Any, call: CallFacts) -> _Outcome:
    src = "Règlement : les projets déjà aidés par le Département pour le même projet ou programme sont exclus"
    unknown = _not_known("other_department_aid", "other_department_aid", aid, raw, src)
    if unknown:
        return unknown
    if aid and not call.aid_combination.same_project_departmental_aid:
        return _reason(
            "other_department_aid", "fail", "Le projet reçoit déjà une aide du Département pour le même projet ou "
            "programme : il ne peut pas être aidé une seconde fois par cet appel.", src,
            advice="Un autre projet, sans aide du Département, pourrait candidater ; les aides d'autres financeurs "
            "(État, région, communes, fondations…) restent possibles.",
        )
    return _reason("other_department_aid", "pass", "Le projet ne reçoit pas d'autre aide du Département pour le "
                   "même projet." if not aid else "Cette aide peut se cumuler avec celle du Département.", src)


def _commune_parser(call: CallFacts) -> Callable[[Any], normalize.CommuneMatch | None]:
    def parse(value: Any) -> normalize.CommuneMatch | None:
        if isinstance(value, normalize.CommuneMatch):
            return value
        if _is_number(value) and float(value).is_integer():
            value = str(int(value))  # a postcode given as a number
        return normalize.parse_commune(value, call) if isinstance(value, str) else None
    return parse


def evaluate(answers: Mapping[str, Any], call: CallFacts | None = None) -> Verdict:
    """The verdict on the answers given so far (see the module docstring for the answer values)."""
    call = call or get_call()
    raw = {key: answers.get(key) for key in ANSWER_KEYS}
    yes_no = _text_parser(normalize.parse_yes_no, (str, bool))
    esus = _read(raw["esus"], yes_no)
    amount = _read(raw["amount"], _parse_money)
    outcomes = [
        _legal_form(_read(raw["structure"], _text_parser(normalize.parse_legal_form)),
                    esus if isinstance(esus, bool) else None, raw["structure"], call),
        _territory(_read(raw["commune"], _commune_parser(call)), raw["commune"], call),
        _stage(_read(raw["stage"], _text_parser(normalize.parse_stage)), raw["stage"], call),
        _amount_range(amount, raw["amount"], call),
        _budget_share(amount, _read(raw["total_budget"], _parse_money), call),
        _other_aid(_read(raw["other_department_aid"], yes_no), raw["other_department_aid"], call),
    ]
    reasons = [reason for reason, _, _ in outcomes]
    asked = {key for _, keys, _ in outcomes for key in keys}
    missing = [key for key in ANSWER_KEYS if key in asked]
    advice = [sentence for _, _, sentences in outcomes for sentence in sentences]
    statuses = {r.status for r in reasons}
    verdict: VerdictStatus
    if "fail" in statuses:
        verdict = "ineligible"
    elif "unknown" in statuses:
        verdict = "incomplete"
    else:
        verdict = "eligible_with_conditions" if "condition" in statuses else "eligible"
    return Verdict(verdict, reasons, missing, advice)
