#!/usr/bin/env bash
# A cluster on this machine that survives losing a Rasa instance (`make run-cluster`): nginx in front of two Rasa
# instances, each with its own action server, the website behind RASA_URL = nginx, conversations in PostgreSQL
# (DATABASE_URL) and Rasa's locks in Redis (REDIS_URL), so that any instance answers any conversation.
# Everything listens on 127.0.0.1; the website is the only public entry, as with scripts/run.sh.
# A Rasa instance or an action server that stops is started again; nginx or the website stopping stops everything.
# Ctrl-C or SIGTERM stops everything this script started. Logs: var/cluster/logs/ (var/: INSTANCE_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
# No telemetry or error reports sent to Rasa: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
VENV=${VENV:-.venv}

if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  echo "Erreur : le cluster a besoin d'une base PostgreSQL (DATABASE_URL) et de Redis (REDIS_URL) partagés par ses" >&2
  echo "instances de Rasa, par exemple :" >&2
  echo "  DATABASE_URL=postgresql://utilisateur@127.0.0.1:5432/ess REDIS_URL=redis://127.0.0.1:6379/0 make run-cluster" >&2
  exit 2
fi
case "$DATABASE_URL" in
  postgresql*) ;;
  *) echo "Erreur : DATABASE_URL doit désigner PostgreSQL (postgresql://…) : plusieurs instances de Rasa écrivent dans la même base." >&2
     exit 2;;
esac
case "$REDIS_URL" in
  redis://*|rediss://*) ;;
  *) echo "Erreur : REDIS_URL doit commencer par redis:// (par exemple redis://127.0.0.1:6379/0)." >&2; exit 2;;
esac
export DATABASE_URL REDIS_URL

# The website sees a single Rasa: nginx on NGINX_PORT. One Rasa instance and one action server per port of the lists.
NGINX_PORT=${NGINX_PORT:-5005}
read -r -a rasa_ports <<< "${RASA_PORTS:-5011 5012}"
read -r -a action_ports <<< "${ACTION_PORTS:-5061 5062}"
WEB_PORT=${WEB_PORT:-8000}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:${WEB_PORT}}
HOST=127.0.0.1
export RASA_URL="http://${HOST}:${NGINX_PORT}"
RASA_MAX_BODY_BYTES=${RASA_MAX_BODY_BYTES:-262144}
# One Sanic worker per instance: the instances are the parallelism (SANIC_WORKERS to change it).
export SANIC_WORKERS=${SANIC_WORKERS:-1}
# A message in flight on an instance that dies keeps its conversation's lock in Redis until the lock expires: the
# same message, sent again by nginx to another instance, waits that long. Rasa's default is 60 s; 6 s keeps the wait
# and the answer below what the website waits (RASA_TIMEOUT, 10 s), far above the time to handle a message. (Rasa 3.6
# may keep such a message waiting until the website gives up: the next message of the conversation is answered.)
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-6}
DIR=${INSTANCE_PATH:-var}/cluster

if [ "${#rasa_ports[@]}" -lt 1 ] || [ "${#rasa_ports[@]}" -ne "${#action_ports[@]}" ]; then
  echo "Erreur : RASA_PORTS et ACTION_PORTS doivent donner autant de ports l'un que l'autre (une instance de Rasa par serveur d'actions)." >&2
  exit 2
fi
for port in "$NGINX_PORT" "${rasa_ports[@]}" "${action_ports[@]}" "$WEB_PORT"; do
  if (exec 3<>"/dev/tcp/${HOST}/${port}") 2>/dev/null; then
    echo "Erreur : le port ${port} est déjà utilisé (NGINX_PORT, RASA_PORTS, ACTION_PORTS ou WEB_PORT pour en changer)." >&2
    exit 2
  fi
done

NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; } || true
if [ -z "$NGINX" ]; then
  echo "nginx absent : installation du paquet Debian (apt-get install nginx)…"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Erreur : installez nginx (sudo apt-get install nginx), puis relancez." >&2; exit 2; }
    sudo=sudo
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

bash scripts/setup.sh
"$VENV/bin/python" -m bot call check
bash scripts/train.sh
"$VENV/bin/python" -m bot db upgrade

# var/cluster/ (0700): the endpoints files hold the database and Redis URLs, passwords included.
nginx_args=()
for i in "${!rasa_ports[@]}"; do
  "$VENV/bin/python" -m bot.rasa.endpoints --action-host "$HOST" --action-port "${action_ports[$i]}" \
    --out "$DIR/endpoints-${action_ports[$i]}.yml"
  nginx_args+=(--rasa "${HOST}:${rasa_ports[$i]}")
done
"$VENV/bin/python" -m bot.rasa.cluster --dir "$DIR" --listen "${HOST}:${NGINX_PORT}" \
  --max-body "$RASA_MAX_BODY_BYTES" "${nginx_args[@]}" >/dev/null
ABS_DIR=$(cd "$DIR" && pwd)
nginx_cmd=("$NGINX" -p "$ABS_DIR/" -c "$ABS_DIR/nginx.conf" -e "$ABS_DIR/logs/error.log")
"${nginx_cmd[@]}" -t -q

declare -A names=() started=() quick_failures=()
pids=()
stopping=0
stop() {
  trap - INT TERM EXIT
  stopping=1
  echo "Arrêt des services…"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

# spawn NAME COMMAND…: start a service in its own process group, its output in var/cluster/logs/NAME.log.
spawn() {
  local name=$1; shift
  set -m
  "$@" >>"$DIR/logs/${name}.log" 2>&1 &
  set +m
  names[$!]=$name
  started[$name]=$SECONDS
  pids+=($!)
}
start_service() {
  local name=$1 port=${1#*-}
  case "$name" in
    actions-*) spawn "$name" "$VENV/bin/python" -m bot.rasa.action_server --host "$HOST" --port "$port" --actions actions;;
    rasa-*)
      local i
      for i in "${!rasa_ports[@]}"; do [ "${rasa_ports[$i]}" = "$port" ] && break; done
      spawn "$name" env SANIC_REQUEST_MAX_SIZE="$RASA_MAX_BODY_BYTES" "$VENV/bin/rasa" run --interface "$HOST" \
        --port "$port" --model models/ess.tar.gz --endpoints "$DIR/endpoints-${action_ports[$i]}.yml" \
        --credentials credentials.yml;;
    nginx) spawn nginx "${nginx_cmd[@]}";;
    web) spawn web "$VENV/bin/python" -m bot web --host "${WEB_HOST:-$HOST}" --port "$WEB_PORT";;
    mail) spawn mail "$VENV/bin/python" -m bot mail worker;;  # several workers never send a mail twice
  esac
}

for port in "${action_ports[@]}"; do start_service "actions-$port"; done
for port in "${rasa_ports[@]}"; do start_service "rasa-$port"; done
start_service nginx
start_service web
start_service mail

echo "Site : http://localhost:${WEB_PORT}/  —  Rasa pour le site : ${RASA_URL} (nginx)"
echo "Instances de Rasa : ${rasa_ports[*]} (chacune avec son serveur d'actions : ${action_ports[*]}), sur ${HOST}."
echo "Conversations dans PostgreSQL, verrous dans Redis. Les instances chargent le modèle (30 à 60 s)."
echo "Journaux : ${DIR}/logs/ (tail -f ${DIR}/logs/*.log). Ctrl-C pour tout arrêter."

# A Rasa instance or an action server that stops is started again (the others answer meanwhile); one that fails
# three times in a row within a minute of its start is left stopped. nginx or the website stopping stops everything.
while [ "$stopping" = 0 ]; do
  dead=""
  wait -n -p dead "${pids[@]}" || true
  [ -n "$dead" ] || continue
  name=${names[$dead]}
  alive=()
  for pid in "${pids[@]}"; do [ "$pid" = "$dead" ] || alive+=("$pid"); done
  pids=("${alive[@]}")
  case "$name" in
    rasa-*|actions-*|mail)
      if (( SECONDS - ${started[$name]} < 60 )); then
        quick_failures[$name]=$(( ${quick_failures[$name]:-0} + 1 ))
      else
        quick_failures[$name]=0
      fi
      if (( ${quick_failures[$name]} >= 3 )); then
        echo "${name} s'est arrêté trois fois de suite au démarrage : il reste arrêté (voir ${DIR}/logs/${name}.log)."
      else
        echo "${name} s'est arrêté ; les autres instances répondent. Redémarrage dans 5 s."
        sleep 5
        start_service "$name"
      fi;;
    *)
      echo "${name} s'est arrêté (voir ${DIR}/logs/${name}.log)."
      stop;;
  esac
  [ "${#pids[@]}" -gt 0 ] || stop
done
