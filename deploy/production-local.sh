#!/usr/bin/env bash
# `make production-local`: the production shape on this machine, from Debian's packages, on loopback ports:
# PostgreSQL, Redis, two gunicorn app instances behind nginx, the outbox worker (to an SMTP sink) and the
# scheduled jobs every minute. Prints the address and the demo logins; Ctrl-C stops everything and removes it.
#
# EP_RUN_DIR=<dir> keeps the logs, the generated nginx.conf and ports.env (every port and pid) there; the test
# tests/deploy/test_production_local.py reads ports.env and stops an instance mid-run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="$ROOT/.venv/bin"
RUN_DIR=${EP_RUN_DIR:-$(mktemp -d /tmp/ep-events-production.XXXXXX)}
mkdir -p "$RUN_DIR"
PIDS=()

missing=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "production-local needs Debian's ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PG_DIR=$(mktemp -d /tmp/ep-events-production-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
NGINX_TMP=$(mktemp -d /tmp/ep-events-production-nginx.XXXXXX)
chmod 0777 "$NGINX_TMP"

stop_everything() {
  trap - EXIT INT TERM
  echo "stopping…"
  [ -f "$RUN_DIR/nginx.pid" ] && "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -s stop 2>/dev/null || true
  for pid in "${PIDS[@]}"; do pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pidfile in "$RUN_DIR"/app-*.pid; do [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true; done
  [ -n "${REDIS_PORT:-}" ] && redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  sleep 1  # the instances finish the requests in hand
  rm -rf "$PG_DIR" "$NGINX_TMP"
  [ -z "${EP_RUN_DIR:-}" ] && rm -rf "$RUN_DIR"
  echo "stopped"
}
trap stop_everything EXIT INT TERM

# PostgreSQL: a throwaway cluster.
PG_PORT=$(free_port)
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres ep_events

# Redis: the rate limits both instances share.
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$RUN_DIR" --daemonize yes \
  --logfile "$RUN_DIR/redis.log"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# An SMTP server that accepts and discards, so the outbox worker delivers as it would in production.
MAIL_PORT=$(free_port)
"$BIN/python" -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "127.0.0.1:$MAIL_PORT" >"$RUN_DIR/smtp.log" 2>&1 &
PIDS+=($!)

WEB_PORT=${EP_WEB_PORT:-$(free_port)}
APP1_PORT=$(free_port)
APP2_PORT=$(free_port)
export EP_EVENTS_CONFIG=production FLASK_APP=ep_events
export SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))')
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/ep_events"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export BASE_URL="http://127.0.0.1:$WEB_PORT" MAIL_SERVER=127.0.0.1 MAIL_PORT="$MAIL_PORT"
export SESSION_COOKIE_SECURE=false FORCE_HTTPS=false PROXY_FIX_HOPS=1  # plain HTTP on loopback, behind nginx

"$BIN/flask" db upgrade >"$RUN_DIR/migrate.log" 2>&1
"$BIN/flask" demo-data >"$RUN_DIR/demo.txt"

for n in 1 2; do
  port_var="APP${n}_PORT"
  "$BIN/gunicorn" --config gunicorn.conf.py --workers 2 --bind "127.0.0.1:${!port_var}" \
    --pid "$RUN_DIR/app-$n.pid" "ep_events:create_app()" >"$RUN_DIR/app-$n.log" 2>&1 &
done
"$BIN/flask" send-outbox --loop --worker production-local >"$RUN_DIR/outbox.log" 2>&1 &
PIDS+=($!)
(
  while true; do
    for job in send-reminders send-mailings expire-offers expire-list-entries purge-expired purge-outbox \
               purge-unconfirmed-accounts purge-audit-details purge-uploads send-cpd-nudges; do
      "$BIN/flask" "$job" || true
    done
    sleep 60
  done
) >"$RUN_DIR/jobs.log" 2>&1 &
PIDS+=($!)

# nginx in front: the site of deploy/nginx/ep-events.conf, on plain HTTP and loopback ports.
sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@NGINX_TMP@|$NGINX_TMP|g" -e "s|@WEB_PORT@|$WEB_PORT|g" \
  -e "s|@APP1_PORT@|$APP1_PORT|g" -e "s|@APP2_PORT@|$APP2_PORT|g" deploy/nginx/local.conf.in >"$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"

for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$APP1_PORT/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$APP2_PORT/readyz" \
    >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$WEB_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$WEB_PORT/readyz" >/dev/null || { echo "the site did not start: see $RUN_DIR" >&2; exit 1; }

cat >"$RUN_DIR/ports.env.new" <<EOF
WEB_PORT=$WEB_PORT
APP1_PORT=$APP1_PORT
APP2_PORT=$APP2_PORT
APP1_PID=$(cat "$RUN_DIR/app-1.pid")
APP2_PID=$(cat "$RUN_DIR/app-2.pid")
DATABASE_URL=$DATABASE_URL
REDIS_URL=$REDIS_URL
EOF
mv "$RUN_DIR/ports.env.new" "$RUN_DIR/ports.env"  # whole, for whoever waits for it
echo
echo "EP Events, production shape: http://127.0.0.1:$WEB_PORT"
echo "  nginx :$WEB_PORT -> gunicorn :$APP1_PORT and :$APP2_PORT; PostgreSQL :$PG_PORT; Redis :$REDIS_PORT;"
echo "  outbox worker -> SMTP sink :$MAIL_PORT; jobs every minute; logs in $RUN_DIR"
cat "$RUN_DIR/demo.txt"
echo "Ctrl-C stops everything."
sleep infinity &
PIDS+=($!)
wait $!
