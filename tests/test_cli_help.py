"""``python -m bot``'s help and usage errors are in French (click, through bot/cli/french.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ("Usage:", "Options:", "Commands:", "Arguments:", "Error:", "Try '", "Show this message", "Missing",
           "No such", "Invalid value", "is not", "requires an argument", "Got unexpected")


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the command line in process; return (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "80")  # click wraps the help to the terminal's width

    def command_line(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return command_line


def no_english(text: str) -> None:
    assert not [word for word in ENGLISH if word in text], text


def test_root_help_in_french(run):
    code, out, err = run("--help")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "utilisation : python -m bot [OPTIONS] COMMANDE [ARGUMENTS]..."
    assert "\n  Outils en ligne de commande de l'assistant de l'appel à projets ESS du" in out
    assert "\nOptions :\n  -h, --help  afficher cette aide et quitter\n" in out
    assert out.endswith(
        "Commandes :\n"
        "  call         données de l'appel à projets (bot/call/call.yml)\n"
        "  eligibility  vérifier l'éligibilité d'un projet\n"
        "  db           base de données (schéma)\n"
        "  drafts       pré-candidatures enregistrées\n"
        "  web          démarrer le site (page de l'assistant et espace du service)\n"
        "  staff        comptes de l'espace agents\n"
        "  mail         e-mails aux porteurs de projet (file d'envoi)\n"
    )
    no_english(out)
    assert run("-h") == (code, out, err)


@pytest.mark.parametrize("group, description, line", [
    ("call", "Commandes sur le fichier des données de l'appel.",
     "  check  vérifier le fichier des données de l'appel"),
    ("eligibility", "Commandes sur l'éligibilité des projets.",
     "  check  donner le verdict d'éligibilité pour des réponses en JSON"),
    ("db", "Commandes sur la base de données (DATABASE_URL, sinon ess.db dans le dossier d'instance, var/ par défaut).",
     "  upgrade  mettre le schéma à jour (migrations)"),
    ("drafts", "Commandes sur les pré-candidatures enregistrées.",
     "  show    afficher une pré-candidature et l'origine de chaque réponse"),
    ("staff", "Commandes sur les comptes de l'espace agents (/staff/).", "  create-user  créer un compte agent"),
    ("mail", "Commandes sur les e-mails envoyés aux porteurs de projet.",
     "  worker  envoyer les e-mails en attente (en continu, ou une fois avec --once)"),
])
def test_group_help_in_french(run, group, description, line):
    code, out, err = run(group, "--help")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"utilisation : python -m bot {group} [OPTIONS] COMMANDE [ARGUMENTS]..."
    assert " ".join(line.strip() for line in lines[2:lines.index("", 2)]) == description  # (wrapped by click)
    assert "Options :" in lines and "  -h, --help  afficher cette aide et quitter" in lines
    assert lines[lines.index("Commandes :") + 1:].count(line) == 1
    no_english(out)


def test_command_help_lists_arguments_and_options_in_french(run):
    code, out, _ = run("staff", "create-user", "-h")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "utilisation : python -m bot staff create-user [OPTIONS] EMAIL"
    assert lines[lines.index("Arguments :") + 1] == "  EMAIL  adresse e-mail de l'agent (son identifiant)"
    assert lines[lines.index("Options :") + 1].startswith("  --role [reviewer|admin]  reviewer (instruire")
    no_english(out)
    _, out, _ = run("web", "--help")
    assert "  --port PORT     port d'écoute (défaut : WEB_PORT, sinon 8000)" in out.splitlines()


def test_help_lines_never_break_before_a_french_colon(run):
    _, out, _ = run("drafts", "export", "--help")
    assert "  CSV : UTF-8 avec BOM, séparateur « ; » (pour Excel)." in out.splitlines()
    assert not [line for line in out.splitlines() if line.lstrip().startswith((":", ";", "»"))]


def usage_error(run, *args: str) -> tuple[list[str], str]:
    """The stderr lines of a usage error (exit 2, nothing on stdout), and its « Erreur : » line."""
    code, out, err = run(*args)
    assert code == 2 and out == "", (code, out, err)
    no_english(err)
    lines = err.splitlines()
    return lines, lines[-1]


def test_unknown_option(run):
    lines, error = usage_error(run, "drafts", "export", "--bogus")
    assert lines[:2] == ["utilisation : python -m bot drafts export [OPTIONS]", "Aide : python -m bot drafts export --help"]
    assert error == "Erreur : option inconnue : --bogus."
    _, error = usage_error(run, "drafts", "export", "--outpt", "x.json")
    assert error.startswith("Erreur : option inconnue : --outpt (vouliez-vous dire --output")


def test_missing_argument(run):
    lines, error = usage_error(run, "drafts", "show")
    assert lines[0] == "utilisation : python -m bot drafts show [OPTIONS] REFERENCE"
    assert error == "Erreur : arguments obligatoires manquants : REFERENCE."


def test_bad_choice_and_bad_number(run):
    _, error = usage_error(run, "drafts", "export", "--format", "xml")
    assert error == "Erreur : option --format : choix invalide : « xml » (choix possibles : json, csv)."
    _, error = usage_error(run, "web", "--port", "huit")
    assert error == "Erreur : option --port : « huit » n'est pas un nombre entier."
    _, error = usage_error(run, "mail", "worker", "--interval", "deux")
    assert error == "Erreur : option --interval : « deux » n'est pas un nombre."


def test_missing_or_unknown_command(run):
    lines, error = usage_error(run)
    assert lines[0] == "utilisation : python -m bot [OPTIONS] COMMANDE [ARGUMENTS]..."
    assert error == "Erreur : commande manquante (choix possibles : call, eligibility, db, drafts, web, staff, mail)."
    _, error = usage_error(run, "drafts")
    assert error == "Erreur : commande manquante (choix possibles : export, show, purge)."
    _, error = usage_error(run, "drafts", "exporter")
    assert error == "Erreur : commande inconnue : « exporter » (choix possibles : export, show, purge)."


def test_option_values_and_extra_arguments(run):
    lines, error = usage_error(run, "call", "check", "--file")
    assert lines[0] == "utilisation : python -m bot call check [OPTIONS]"
    assert error == "Erreur : l'option --file attend une valeur."
    _, error = usage_error(run, "mail", "worker", "--once=oui")
    assert error == "Erreur : l'option --once ne prend pas de valeur."
    _, error = usage_error(run, "staff", "create-user", "a@valdemarne.fr", "b@valdemarne.fr")
    assert error == "Erreur : arguments non reconnus : b@valdemarne.fr."


def test_python_m_bot_runs_the_same_command_line():
    env = {**os.environ, "COLUMNS": "80"}
    help_page = subprocess.run([sys.executable, "-m", "bot", "db", "-h"], cwd=ROOT, capture_output=True, env=env,
                               timeout=120)
    assert help_page.returncode == 0
    assert help_page.stdout.decode("utf-8").startswith("utilisation : python -m bot db [OPTIONS] COMMANDE")
    error = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--vite"], cwd=ROOT, capture_output=True,
                           env=env, timeout=120)
    assert error.returncode == 2 and error.stdout == b""
    assert error.stderr.decode("utf-8").splitlines()[-1] == "Erreur : option inconnue : --vite."
