"""``python -m bot``: run in a subprocess from the repository root, as a user would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CALL_FILE = ROOT / "bot" / "call" / "call.yml"
ANSWERS = {
    "structure": "asso loi 1901", "commune": "st maur", "stage": "emergence",
    "amount": "12 000 €", "total_budget": 20000, "other_department_aid": False,
}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CALL_FILE"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin.encode("utf-8"),
        capture_output=True, env=env, timeout=120,
    )


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8")


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8")


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_eligibility_check_file(tmp_path):
    result = run("eligibility", "check", write(tmp_path, json.dumps(ANSWERS, ensure_ascii=False)))
    assert result.returncode == 0, err(result)
    data = json.loads(out(result))
    assert data["verdict"] == "eligible"
    assert [r["status"] for r in data["reasons"]] == ["pass"] * 6
    assert "Saint-Maur-des-Fossés" in out(result)  # French text, not \u escapes
    assert "jury" in data["summary"]


def test_eligibility_check_stdin():
    answers = {"structure": "SARL", "commune": "Paris"}
    result = run("eligibility", "check", "-", stdin=json.dumps(answers))
    assert result.returncode == 0, err(result)
    data = json.loads(out(result))
    assert data["verdict"] == "ineligible"
    assert data["missing"] == ["esus", "stage", "amount", "total_budget", "other_department_aid"]
    assert "Paris (75) n'est pas dans le Val-de-Marne" in data["reasons"][1]["message"]


def test_malformed_json(tmp_path):
    result = run("eligibility", "check", write(tmp_path, '{"structure": "association",'))
    assert result.returncode == 2
    assert "n'est pas un JSON valide" in err(result)
    assert "Traceback" not in err(result) and out(result) == ""


def test_not_an_object():
    result = run("eligibility", "check", "-", stdin='["association"]')
    assert result.returncode == 2
    assert "objet JSON" in err(result) and "liste" in err(result)
    assert "Traceback" not in err(result)


def test_unknown_key(tmp_path):
    result = run("eligibility", "check", write(tmp_path, '{"structure": "association", "montant": 5000}'))
    assert result.returncode == 2
    assert "Clé inconnue" in err(result) and "« montant »" in err(result)
    assert "Traceback" not in err(result)


def test_wrong_value_type():
    result = run("eligibility", "check", "-", stdin='{"amount": [5000]}')
    assert result.returncode == 2
    assert "« amount »" in err(result) and "liste" in err(result)
    assert "Traceback" not in err(result)


def test_missing_file(tmp_path):
    missing = tmp_path / "absent.json"
    result = run("eligibility", "check", str(missing))
    assert result.returncode == 2
    assert f"Fichier introuvable : {missing}" in err(result)
    assert "Traceback" not in err(result)


def test_usage_errors_are_in_french():
    result = run("eligibility", "check")
    assert result.returncode == 2
    assert "utilisation" in err(result) and "arguments obligatoires manquants" in err(result)
    assert "usage" not in err(result)


def test_call_check_valid_file():
    result = run("call", "check", "--file", str(CALL_FILE))
    assert result.returncode == 0, err(result)
    assert out(result).strip() == f"Fichier des données de l'appel valide : {CALL_FILE}"


def test_call_check_default_file():
    result = run("call", "check")
    assert result.returncode == 0, err(result)
    assert out(result).startswith("Fichier des données de l'appel valide : ")


def test_call_check_broken_file_names_the_field(tmp_path):
    data = yaml.safe_load(CALL_FILE.read_text(encoding="utf-8"))
    del data["amounts"]["min"]
    broken = tmp_path / "call.yml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("call", "check", "--file", str(broken))
    assert result.returncode == 1
    assert "amounts.min" in err(result)
    assert "Traceback" not in err(result) and out(result) == ""


def test_call_check_missing_file(tmp_path):
    result = run("call", "check", "--file", str(tmp_path / "absent.yml"))
    assert result.returncode == 1
    assert "introuvable" in err(result)
