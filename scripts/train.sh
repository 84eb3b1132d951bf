#!/usr/bin/env bash
# Train models/ess.tar.gz when it is missing or the training data changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# No telemetry or error reports sent to Rasa: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
VENV=${VENV:-.venv}
MODEL=models/ess.tar.gz
fingerprint=$(cat config.yml $(find domain -name "*.yml" | LC_ALL=C sort) $(find data -name '*.yml' | LC_ALL=C sort) | sha256sum | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$fingerprint" ] && [ "${FORCE_TRAIN:-0}" != 1 ]; then
  echo "Modèle à jour ($MODEL) : pas de réentraînement."
  exit 0
fi
echo "Entraînement du modèle (données modifiées ou modèle absent)…"
start=$(date +%s)
"$VENV/bin/rasa" train --domain domain --fixed-model-name ess --out models --force
echo "$fingerprint" > models/.fingerprint
echo "Entraînement terminé en $(( $(date +%s) - start )) s."
