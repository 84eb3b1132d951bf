"""``python -m bot db upgrade`` and ``python -m bot drafts export|show|purge``: the stored pre-applications.

Every command first brings the schema up to date (idempotent) on ``DATABASE_URL``. Expected errors print a
French message: exit 1 (not found, bad call data, unwritable file), exit 2 (bad argument, database
unreachable).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, TextIO

from bot.forms.fields import APPLICATION_FIELDS, FIELDS

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_DATABASE = 2

# Export headers: the staff label of each field (bot/forms/fields.py), plus the draft's own columns.
LABELS = {
    "reference": "Référence",
    **{FIELDS[key].db_column: FIELDS[key].staff_label for key in APPLICATION_FIELDS},
    "identifier_kind": "Type d'identifiant",
    "verdict": "Verdict", "status": "Statut", "created_at": "Créé le (UTC)", "updated_at": "Modifié le (UTC)",
    "consent_at": "Consentement le (UTC)",
}
STATUS_LABELS = {"new": "nouveau", "in_review": "en cours d'examen", "admissible": "recevable",
                 "not_admissible": "non recevable", "incomplete": "incomplet"}
VERDICT_LABELS = {"eligible": "éligible", "eligible_with_conditions": "éligible sous conditions",
                  "ineligible": "non éligible", "incomplete": "incomplet"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DURATION = re.compile(r"^\s*(\d+)\s*[dj]?\s*$", re.IGNORECASE)


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="base de données (schéma)", description="Commandes sur la base de "
                               "données (DATABASE_URL, sinon var/ess.db).")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMANDE", required=True)
    db_commands.add_parser("upgrade", help="mettre le schéma à jour (migrations)",
                           description="Applique les migrations manquantes.").set_defaults(handler=upgrade_db)

    drafts = subparsers.add_parser("drafts", help="pré-candidatures enregistrées",
                                   description="Commandes sur les pré-candidatures enregistrées.")
    commands = drafts.add_subparsers(dest="drafts_command", metavar="COMMANDE", required=True)
    export = commands.add_parser("export", help="exporter les pré-candidatures (JSON ou CSV)",
                                 description="Exporte les pré-candidatures, sur la sortie standard ou dans un "
                                 "fichier. CSV : UTF-8 avec BOM, séparateur « ; » (pour Excel).")
    export.add_argument("--format", choices=("json", "csv"), default="json", help="format (défaut : json)")
    export.add_argument("--status", choices=sorted(STATUS_LABELS), help="seulement les pré-candidatures de ce statut")
    export.add_argument("--output", metavar="FICHIER", help="fichier à écrire (défaut : sortie standard)")
    export.set_defaults(handler=export_drafts)
    show = commands.add_parser("show", help="afficher une pré-candidature et l'origine de chaque réponse",
                               description="Affiche une pré-candidature : chaque champ, sa valeur, et la "
                               "phrase de l'utilisateur qui l'a donnée.")
    show.add_argument("reference", metavar="REFERENCE", help="référence, par exemple ESS-2026-0042")
    show.set_defaults(handler=show_draft)
    purge = commands.add_parser("purge", help="supprimer les pré-candidatures et les conversations anciennes",
                                description="Supprime les pré-candidatures (et leurs conversations) non "
                                "modifiées depuis la durée donnée, et les conversations sans pré-candidature "
                                "sans message depuis leur propre durée. Par défaut : les durées de bot/call/call.yml "
                                "(privacy.retention_days et privacy.conversation_days). Le site (python -m bot "
                                "web) fait déjà cette purge chaque jour ; cette commande la lance à la main.")
    purge.add_argument("--older-than", metavar="DURÉE", help="pré-candidatures, par exemple 180d (180 jours)")
    purge.add_argument("--conversations-older-than", metavar="DURÉE",
                       help="conversations sans pré-candidature, par exemple 30d (30 jours)")
    purge.set_defaults(handler=purge_drafts)


def _with_database(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Check the database, migrate it, run the handler; a database failure becomes exit 2 in French."""

    @wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import InterfaceError, OperationalError

        from bot.db.session import DatabaseUnavailable, check_connection, unavailable, upgrade

        try:
            try:
                check_connection()
                args.revisions = upgrade()
                return handler(args)
            except (OperationalError, InterfaceError) as exc:
                raise unavailable(exc) from exc
        except DatabaseUnavailable as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return EXIT_DATABASE

    return run


@_with_database
def upgrade_db(args: argparse.Namespace) -> int:
    from bot.db.session import safe_url

    before, after = args.revisions
    if before == after:
        print(f"Schéma déjà à jour (révision {after}) : {safe_url()}")
    else:
        print(f"Schéma mis à jour de la révision {before or 'vide'} à la révision {after} : {safe_url()}")
    return 0


def defuse_formula(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """One CSV cell, French-style, protected against formula injection."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, Decimal):
        text = f"{value:.2f}".replace(".", ",")
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return defuse_formula(text)


def write_drafts_csv(drafts: Iterable[Any], stream: TextIO) -> None:
    """The export columns of ``drafts`` as CSV for Excel: UTF-8 BOM, « ; », French headers, CRLF."""
    from bot.db.drafts import EXPORT_COLUMNS

    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([LABELS[name] for name in EXPORT_COLUMNS])
    for draft in drafts:
        writer.writerow([csv_cell(getattr(draft, name)) for name in EXPORT_COLUMNS])


def drafts_csv(drafts: Iterable[Any]) -> str:
    buffer = io.StringIO(newline="")
    write_drafts_csv(drafts, buffer)
    return buffer.getvalue()


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@_with_database
def export_drafts(args: argparse.Namespace) -> int:
    from bot.db.drafts import drafts_with_sources, list_drafts
    from bot.db.session import session_scope

    with session_scope() as session:
        drafts = list_drafts(session, status=args.status)
        if args.format == "csv":
            text = drafts_csv(drafts)
        else:
            text = json.dumps(drafts_with_sources(session, drafts), ensure_ascii=False, indent=2) + "\n"
    try:
        _write(text, args.output)
    except OSError as exc:
        print(f"Erreur : impossible d'écrire le fichier {args.output} : {exc.strerror}.", file=sys.stderr)
        return 1
    if args.output:
        print(f"{_count(len(drafts), 'pré-candidature exportée', 'pré-candidatures exportées')} "
              f"dans {args.output}.", file=sys.stderr)
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


@_with_database
def show_draft(args: argparse.Namespace) -> int:
    from bot.db.drafts import DRAFT_FIELDS, field_sources, get_by_reference
    from bot.db.session import session_scope
    from bot.forms.fields import LEGAL_FORM_LABELS, STAGE_LABELS

    with session_scope() as session:
        draft = get_by_reference(session, args.reference)
        if draft is None:
            print(f"Aucune pré-candidature avec la référence « {args.reference.strip()} ».", file=sys.stderr)
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


def purge_drafts(args: argparse.Namespace) -> int:
    try:
        args.days = parse_days(args.older_than) if args.older_than is not None else None
        args.conversation_days = (parse_days(args.conversations_older_than)
                                  if args.conversations_older_than is not None else None)
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.days is None or args.conversation_days is None:
        from bot.call.facts import CallDataError, get_call

        try:
            privacy = get_call().privacy
        except CallDataError as exc:
            print(exc, file=sys.stderr)
            return 1
        args.days = privacy.retention_days if args.days is None else args.days
        if args.conversation_days is None:
            args.conversation_days = privacy.conversation_days
    return _purge(args)


@_with_database
def _purge(args: argparse.Namespace) -> int:
    from bot.application.purge import logger, run_purge

    report = run_purge(retention_days=args.days, conversation_days=args.conversation_days)
    assert report is not None  # without a lease, the purge always runs
    logger.info("Purge manuelle (ligne de commande). %s", report.log_line())
    deleted = _count(report.drafts, "pré-candidature supprimée", "pré-candidatures supprimées")
    print(f"{deleted} : dernière modification il y a plus de {args.days} jours.")
    conversations = _count(report.conversations, "conversation sans pré-candidature supprimée",
                           "conversations sans pré-candidature supprimées")
    print(f"{conversations} : dernier message il y a plus de {args.conversation_days} jours.")
    return 0
