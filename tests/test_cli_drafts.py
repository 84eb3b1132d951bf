"""``python -m bot db|drafts ...`` in a subprocess, on a throwaway SQLite file (DATABASE_URL)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import update

from bot.cli.drafts import LABELS, parse_days
from bot.db.drafts import EXPORT_COLUMNS, get_or_create_draft, update_fields
from bot.db.models import Draft
from bot.db.session import alembic_config, dispose_engines, session_scope, upgrade

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
INJECTION = '=HYPERLINK("http://exemple.invalid","clic")'
DESCRIPTION = "Une épicerie solidaire;\nouverte à tous"


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CALL_FILE"}
    env["DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, env=env,
                          timeout=120)


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8")


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8")


@pytest.fixture
def url(tmp_path):
    yield f"sqlite:///{tmp_path / 'cli.db'}"
    dispose_engines()


@pytest.fixture
def filled(url):
    """Two drafts: one new with an injected formula, one in review updated 400 days ago."""
    upgrade(url)
    with session_scope(url) as session:
        first = get_or_create_draft(session, "conv-1", consent_at=WHEN)
        update_fields(session, first, {
            "org_name": INJECTION, "project_description": DESCRIPTION, "amount": "12000",
            "other_department_aid": False, "email": "contact@asso.fr",
        }, sources={"org_name": ("Notre structure : " + INJECTION, WHEN), "amount": ("environ 12 000 €", WHEN)})
        second = get_or_create_draft(session, "conv-2")
        update_fields(session, second, {"org_name": "Vieille asso", "status": "in_review"})
        session.execute(update(Draft).where(Draft.id == second.id)
                        .values(updated_at=datetime.now(timezone.utc) - timedelta(days=400)))
        references = first.reference, second.reference
    dispose_engines()
    return url, references


def test_db_upgrade_says_what_it_did(url):
    first = run(url, "db", "upgrade")
    assert first.returncode == 0, err(first)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert "Schéma mis à jour" in out(first) and head in out(first)
    second = run(url, "db", "upgrade")
    assert second.returncode == 0
    assert "déjà à jour" in out(second)


def test_export_json(filled):
    url, (first, second) = filled
    result = run(url, "drafts", "export", "--format", "json")
    assert result.returncode == 0, err(result)
    data = json.loads(out(result))
    assert [d["reference"] for d in data] == [first, second]
    assert all(list(d) == [*EXPORT_COLUMNS, "sources"] for d in data)
    assert data[0]["amount"] == 12000.0 and data[0]["other_department_aid"] is False
    # Where each value came from: the applicant's sentence, or None for a value set without one.
    assert data[0]["sources"]["amount"] == {"message": "environ 12 000 €", "given_at": "2026-03-02T09:30:00+00:00"}
    assert data[0]["sources"]["org_name"]["message"] == "Notre structure : " + INJECTION
    assert data[0]["sources"]["email"]["message"] is None
    assert set(data[1]["sources"]) == {"org_name"}
    assert data[0]["project_description"] == DESCRIPTION
    assert data[0]["consent_at"] == "2026-03-02T09:30:00+00:00"


def test_export_status_filter_and_output_file(filled, tmp_path):
    url, (_, second) = filled
    target = tmp_path / "export.json"
    result = run(url, "drafts", "export", "--status", "in_review", "--output", str(target))
    assert result.returncode == 0, err(result)
    assert [d["reference"] for d in json.loads(target.read_text(encoding="utf-8"))] == [second]
    assert "1 pré-candidature exportée" in err(result)
    assert run(url, "drafts", "export", "--status", "accepted").returncode == 2


def test_export_csv_for_excel(filled):
    url, (first, _) = filled
    result = run(url, "drafts", "export", "--format", "csv")
    assert result.returncode == 0, err(result)
    raw = result.stdout
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [LABELS[name] for name in EXPORT_COLUMNS]
    assert rows[0][:3] == ["Référence", "Structure", "Forme juridique"]
    assert len(rows) == 3 and all(len(row) == len(EXPORT_COLUMNS) for row in rows)
    line = dict(zip(EXPORT_COLUMNS, rows[1], strict=False))
    assert line["reference"] == first
    assert line["org_name"] == "'" + INJECTION
    assert line["project_description"] == DESCRIPTION
    assert line["amount"] == "12000,00"
    assert line["other_department_aid"] == "non"
    assert line["status"] == "new"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_show_prints_fields_and_provenance(filled):
    url, (first, _) = filled
    result = run(url, "drafts", "show", f"  {first.lower()} ")
    assert result.returncode == 0, err(result)
    text = out(result)
    assert f"Pré-candidature {first}" in text
    assert "Statut : nouveau" in text
    assert f"Structure : {INJECTION}" in text
    assert f"« Notre structure : {INJECTION} »" in text
    assert "Montant demandé (€) : 12 000 €" in text
    assert "« environ 12 000 € »" in text
    assert "donné le 02/03/2026 à 09:30 UTC" in text
    assert "Forme juridique : (non renseigné)" in text


def test_show_unknown_reference(filled):
    url, _ = filled
    result = run(url, "drafts", "show", "ESS-1999-0001")
    assert result.returncode == 1
    assert "Aucune pré-candidature avec la référence « ESS-1999-0001 »" in err(result)
    assert "Traceback" not in err(result)


def test_purge(filled):
    url, (first, _) = filled
    result = run(url, "drafts", "purge", "--older-than", "180d")
    assert result.returncode == 0, err(result)
    assert "1 pré-candidature supprimée" in out(result)
    assert [d["reference"] for d in json.loads(out(run(url, "drafts", "export")))] == [first]
    default = run(url, "drafts", "purge")
    assert default.returncode == 0
    assert "Aucune pré-candidature supprimée" in out(default) and "180 jours" in out(default)


def test_purge_rejects_a_bad_duration(url):
    result = run(url, "drafts", "purge", "--older-than", "six mois")
    assert result.returncode == 2
    assert "durée invalide" in err(result)


@pytest.mark.parametrize("text, days", [("180d", 180), ("30", 30), (" 7 j", 7), ("2D", 2)])
def test_parse_days(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["0d", "-3d", "3 mois", ""])
def test_parse_days_rejects(text):
    with pytest.raises(ValueError, match="durée invalide"):
        parse_days(text)


@pytest.mark.parametrize("command", [("db", "upgrade"), ("drafts", "export"), ("drafts", "show", "ESS-2026-0001"),
                                     ("drafts", "purge", "--older-than", "10d")])
def test_unreachable_database(command):
    result = run("postgresql://postgres@127.0.0.1:1/x", *command)
    assert result.returncode == 2
    assert "Base de données injoignable" in err(result)
    assert "Traceback" not in err(result)


def test_show_prints_the_legal_form_and_the_stage_in_french(url):
    upgrade(url)
    with session_scope(url) as session:
        draft = get_or_create_draft(session, "conv-labels", consent_at=WHEN)
        update_fields(session, draft, {"legal_form": "group_in_creation", "stage": "running_costs"})
        reference = draft.reference
    dispose_engines()
    text = out(run(url, "drafts", "show", reference))
    assert "Forme juridique : collectif pas encore constitué" in text
    assert "fonctionnement courant" in text and "group_in_creation" not in text and "running_costs" not in text
