#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned requirements.
# Idempotent: nothing is reinstalled unless requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  py=$(bash scripts/find_python.sh)
  echo "Création de l'environnement $VENV avec $py"
  "$py" -m venv "$VENV"
fi
echo "Installation des dépendances épinglées (requirements.txt)…"
"$VENV/bin/python" -m pip install --quiet --upgrade "pip==23.3.2" "setuptools==69.5.1" "wheel==0.43.0"
"$VENV/bin/python" -m pip install --quiet -r requirements.txt
"$VENV/bin/python" -m pip check
echo "$want" > "$VENV/.requirements.sha256"
