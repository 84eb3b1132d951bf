"""``python -m bot drafts export|show|purge``: the stored pre-applications.

Every command first brings the schema up to date (idempotent) on ``DATABASE_URL``. Expected errors print a
French message: exit 1 (not found, bad call data, unwritable file), exit 2 (bad argument, database
unreachable).
"""
from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from bot.application.export import LABELS, STATUS_LABELS, VERDICT_LABELS, drafts_csv
from bot.cli.database import with_database
from bot.cli.french import EXIT_USAGE, Choice, Group
from bot.db.models import DraftStatus

EXIT_NOT_FOUND = 1
_DURATION = re.compile(r"^\s*(\d+)\s*[dj]?\s*$", re.IGNORECASE)


@click.group("drafts", cls=Group, short_help="pré-candidatures enregistrées")
def drafts() -> None:
    """Commandes sur les pré-candidatures enregistrées."""


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@drafts.command("export", short_help="exporter les pré-candidatures (JSON ou CSV)")
@click.option("--format", "output_format", type=Choice(["json", "csv"]), default="json", help="format (défaut : json)")
@click.option("--status", type=Choice(sorted(STATUS_LABELS)), help="seulement les pré-candidatures de ce statut")
@click.option("--output", metavar="FICHIER", help="fichier à écrire (défaut : sortie standard)")
@with_database
def export_drafts(output_format: str, status: DraftStatus | None, output: str | None) -> int:
    """Exporte les pré-candidatures, sur la sortie standard ou dans un fichier. CSV : UTF-8 avec BOM, séparateur
    « ; » (pour Excel).
    """
    from bot.db.drafts import drafts_with_sources, list_drafts
    from bot.db.session import session_scope

    with session_scope() as session:
        found = list_drafts(session, status=status)
        if output_format == "csv":
            text = drafts_csv(found)
        else:
            text = json.dumps(drafts_with_sources(session, found), ensure_ascii=False, indent=2) + "\n"
    try:
        _write(text, output)
    except OSError as exc:
        print(f"Erreur : impossible d'écrire le fichier {output} : {exc.strerror}.", file=sys.stderr)
        return 1
    if output:
        print(f"{_count(len(found), 'pré-candidature exportée', 'pré-candidatures exportées')} "
              f"dans {output}.", file=sys.stderr)
    return 0


def _count(n: int, singular: str, plural: str) -> str:
    if n == 0:
        return f"Aucune {singular}"
    return f"{n} {singular if n == 1 else plural}"


def _display(value: Any) -> str:
    if value is None or value == "":
        return "(non renseigné)"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        whole = f"{value:,.2f}".replace(",", " ").replace(".", ",")
        return whole[:-3] + " €" if whole.endswith(",00") else whole + " €"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y à %H:%M UTC")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in str(text).splitlines() or [""])


def _reasons(reasons: Any) -> list[str]:
    if not reasons:
        return []
    items = reasons if isinstance(reasons, list) else [reasons]
    return [str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in items]


@drafts.command("show", short_help="afficher une pré-candidature et l'origine de chaque réponse")
@click.argument("reference", metavar="REFERENCE", help="référence, par exemple ESS-2026-0042")
@with_database
def show_draft(reference: str) -> int:
    """Affiche une pré-candidature : chaque champ, sa valeur, et la phrase de l'utilisateur qui l'a donnée."""
    from bot.db.drafts import DRAFT_FIELDS, field_sources, get_by_reference
    from bot.db.session import session_scope
    from bot.forms.fields import LEGAL_FORM_LABELS, STAGE_LABELS

    with session_scope() as session:
        draft = get_by_reference(session, reference)
        if draft is None:
            print(f"Aucune pré-candidature avec la référence « {reference.strip()} ».", file=sys.stderr)
            return EXIT_NOT_FOUND
        sources = field_sources(session, draft)
    lines = [
        f"Pré-candidature {draft.reference}",
        f"Statut : {STATUS_LABELS.get(draft.status, draft.status)}",
        f"Créée le {_display(draft.created_at)}, modifiée le {_display(draft.updated_at)}",
        "Consentement : " + (f"donné le {_display(draft.consent_at)}" if draft.consent_at else "non recueilli"),
        "Verdict : " + (VERDICT_LABELS.get(draft.verdict, draft.verdict) if draft.verdict else "(aucun)"),
    ]
    lines += [f"  - {reason}" for reason in _reasons(draft.verdict_reasons)]
    lines.append("")
    for name in DRAFT_FIELDS:
        value = getattr(draft, name)
        shown = {"legal_form": LEGAL_FORM_LABELS, "stage": STAGE_LABELS}.get(name, {}).get(value) or _display(value)
        lines.append(f"{LABELS[name]} : {shown}")
        source = sources.get(name)
        if source is not None:
            when = _display(source.given_at)
            if source.message:
                lines.append(f"  donné le {when}, dans le message :")
                lines.append(_indent(f"« {source.message} »"))
            else:
                lines.append(f"  donné le {when}")
    print("\n".join(lines))
    return 0


def parse_days(text: str) -> int:
    """``180d``, ``180j`` or ``180`` -> 180; raise :class:`ValueError` with a French message."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"durée invalide : « {text} ». Indiquez un nombre de jours positif, par exemple 180d.")
    return int(match.group(1))


@drafts.command("purge", short_help="supprimer les pré-candidatures et les conversations anciennes")
@click.option("--older-than", metavar="DURÉE", help="pré-candidatures, par exemple 180d (180 jours)")
@click.option("--conversations-older-than", metavar="DURÉE",
              help="conversations sans pré-candidature, par exemple 30d (30 jours)")
def purge_drafts(older_than: str | None, conversations_older_than: str | None) -> int:
    """Supprime les pré-candidatures (et leurs conversations) non modifiées depuis la durée donnée, et les
    conversations sans pré-candidature sans message depuis leur propre durée. Par défaut : les durées de
    bot/call/call.yml (privacy.retention_days et privacy.conversation_days). Le site (python -m bot web) fait
    déjà cette purge chaque jour ; cette commande la lance à la main.
    """
    try:
        days = parse_days(older_than) if older_than is not None else None
        conversation_days = parse_days(conversations_older_than) if conversations_older_than is not None else None
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    if days is None or conversation_days is None:
        from bot.call.facts import CallDataError, get_call

        try:
            privacy = get_call().privacy
        except CallDataError as exc:
            print(exc, file=sys.stderr)
            return 1
        days = privacy.retention_days if days is None else days
        conversation_days = privacy.conversation_days if conversation_days is None else conversation_days
    return _purge(days, conversation_days)


@with_database
def _purge(days: int, conversation_days: int) -> int:
    from bot.application.purge import logger, run_purge

    report = run_purge(retention_days=days, conversation_days=conversation_days)
    assert report is not None  # without a lease, the purge always runs
    logger.info("Purge manuelle (ligne de commande). %s", report.log_line())
    deleted = _count(report.drafts, "pré-candidature supprimée", "pré-candidatures supprimées")
    print(f"{deleted} : dernière modification il y a plus de {days} jours.")
    conversations = _count(report.conversations, "conversation sans pré-candidature supprimée",
                           "conversations sans pré-candidature supprimées")
    print(f"{conversations} : dernier message il y a plus de {conversation_days} jours.")
    return 0
