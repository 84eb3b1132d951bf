#!/usr/bin/env bash
# Every test, in the CI order: lint, unit tests, data validation, training, conversation
# tests through the REST webhook (end-to-end conversations in tests/e2e/, equivalence with
# the CLI, simulated applicants), browser tests, NLU evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
# No telemetry or error reports sent to Rasa: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
step() { echo; echo "=== $* ==="; }

step "Installation"
bash scripts/setup.sh

step "Lint (ruff)"
"$VENV/bin/ruff" check bot actions tests scripts

step "Types (mypy sur bot/ et actions/)"
"$VENV/bin/mypy"

step "Chaque test trouve ses fixtures, ceux qui ont besoin du modèle compris (pytest --setup-plan)"
"$PY" -m pytest --setup-plan -q -p no:cacheprovider > /dev/null || "$PY" -m pytest --setup-plan -q -p no:cacheprovider -rE | tail -20

step "Tests unitaires (pytest)"
"$PY" -m pytest -m "not rest and not browser" -q

step "Validation des données (rasa data validate)"
"$VENV/bin/rasa" data validate --domain domain --fail-on-warnings

step "Entraînement"
bash scripts/train.sh

step "Conversations de bout en bout, équivalence avec la CLI, porteurs simulés (pytest -m rest)"
"$PY" -m pytest -m rest -q

step "Tests dans le navigateur (Chromium headless, pytest -m browser)"
"$PY" -m pytest -m browser -q

step "Évaluation NLU sur l'échantillon réservé (tests/nlu_holdout)"
rm -rf results/nlu
"$VENV/bin/rasa" test nlu --model models/ess.tar.gz --domain domain --nlu tests/nlu_holdout --out results/nlu
"$PY" scripts/nlu_summary.py results/nlu
