#!/usr/bin/env bash
# Set up, train if needed, then start the action server, Rasa (REST channel only) and the website.
# Rasa and the action server listen on RASA_HOST / ACTION_HOST (127.0.0.1 by default): only the
# website is public. Every server bounds the size of a request body.
# Ctrl-C or SIGTERM stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
# No telemetry or error reports sent to Rasa: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
VENV=${VENV:-.venv}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8000}
# The site's public address, for the links in the e-mails to applicants.
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:${WEB_PORT}}
export ACTION_HOST=${ACTION_HOST:-127.0.0.1}
RASA_HOST=${RASA_HOST:-127.0.0.1}
export RASA_URL=${RASA_URL:-http://${RASA_HOST}:${RASA_PORT}}
# Largest request body Rasa accepts (Sanic's REQUEST_MAX_SIZE, read from SANIC_REQUEST_MAX_SIZE): the
# website sends one message of at most 2 000 characters. The action server's limit is ACTION_MAX_BODY_BYTES.
RASA_MAX_BODY_BYTES=${RASA_MAX_BODY_BYTES:-262144}
# With REDIS_URL, Rasa's lock store is in Redis and Rasa runs one worker per core (SANIC_WORKERS to change
# it); without Redis, a single worker (several would not share their conversation locks).
if [ -n "${REDIS_URL:-}" ]; then
  export SANIC_WORKERS=${SANIC_WORKERS:-$(nproc)}
else
  export SANIC_WORKERS=1
fi

bash scripts/setup.sh
"$VENV/bin/python" -m bot call check
bash scripts/train.sh

"$VENV/bin/python" -m bot db upgrade
# Rasa's endpoints file in the instance folder (var/, or INSTANCE_PATH), 0600: it holds the database's URL.
ENDPOINTS="${INSTANCE_PATH:-var}/endpoints.yml"
"$VENV/bin/python" -m bot.rasa.endpoints --action-host "$ACTION_HOST" --action-port "$ACTION_PORT" --out "$ENDPOINTS"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Arrêt des services…"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

set -m
"$VENV/bin/python" -m bot.rasa.action_server --host "$ACTION_HOST" --port "$ACTION_PORT" --actions actions &
pids+=($!)
SANIC_REQUEST_MAX_SIZE="$RASA_MAX_BODY_BYTES" "$VENV/bin/rasa" run --interface "$RASA_HOST" --port "$RASA_PORT" \
  --model models/ess.tar.gz --endpoints "$ENDPOINTS" --credentials credentials.yml &
pids+=($!)
"$VENV/bin/python" -m bot web --host "${WEB_HOST:-127.0.0.1}" --port "$WEB_PORT" &
pids+=($!)
# The e-mails to applicants (outbox in the database), sent in the background with retries.
"$VENV/bin/python" -m bot mail worker &
pids+=($!)
set +m

echo "Site : http://localhost:${WEB_PORT}/  —  Rasa : http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook  —  actions : ${ACTION_HOST}:${ACTION_PORT}"
if [ -n "${REDIS_URL:-}" ]; then
  echo "Rasa : ${SANIC_WORKERS} worker(s), verrous dans Redis."
else
  echo "Rasa : 1 worker (REDIS_URL non défini ; avec Redis, Rasa lance un worker par cœur, soit $(nproc) ici)."
fi
[ -n "${SMTP_URL:-}" ] || echo "SMTP_URL non défini : les e-mails (codes de reprise, suivi des dossiers) sont écrits dans ${MAIL_OUTBOX_DIR:-${INSTANCE_PATH:-var}/outbox}/ au lieu d'être envoyés."
echo "Ctrl-C pour tout arrêter."
# Stop everything as soon as one service dies.
wait -n "${pids[@]}" || true
echo "Un service s'est arrêté."
stop
