#!/usr/bin/env bash
# Every test, in the CI order: lint, unit tests, data validation, training,
# tests through the REST webhook, conversation tests, NLU evaluation.
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

step "Tests unitaires (pytest)"
"$PY" -m pytest -m "not rest and not browser" -q

step "Validation des données (rasa data validate)"
"$VENV/bin/rasa" data validate --domain domain --fail-on-warnings

step "Entraînement"
bash scripts/train.sh

step "Tests par le webhook REST (pytest -m rest)"
"$PY" -m pytest -m rest -q

step "Tests dans le navigateur (Chromium headless, pytest -m browser)"
"$PY" -m pytest -m browser -q

step "Tests de conversation (rasa test core)"
rm -rf results/stories
"$VENV/bin/rasa" test core --model models/ess.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories

step "Évaluation NLU sur l'échantillon réservé (tests/nlu_holdout)"
rm -rf results/nlu
"$VENV/bin/rasa" test nlu --model models/ess.tar.gz --domain domain --nlu tests/nlu_holdout --out results/nlu
"$PY" scripts/nlu_summary.py results/nlu
