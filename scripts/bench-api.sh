#!/usr/bin/env bash
# API latency with authentication off and on: one standalone (in-memory store, its own agent) per setting, and wrk
# against GET /api/v1/agents with no credential (auth off), an API token (SHA-256 lookup) and a session (JWT
# verified, then its user read and its logout looked up), one after the other on the same machine.
#
#   scripts/bench-api.sh [DURATION_SECONDS] [CONNECTIONS]      (default 15 s, 8 connections, one wrk thread)
#
# Prints the load average before and after and wrk's latency distribution for each. Needs target/mirador.jar
# (mvn -q package -DskipTests) and wrk (apt-get install -y wrk). Ports 18180 and 18181; data in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mirador.jar
[[ -f $JAR ]] || { echo "no $JAR: run mvn -q package -DskipTests first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "no wrk: apt-get install -y wrk" >&2; exit 1; }
DURATION=${1:-15}
CONNECTIONS=${2:-8}
WORK=$(mktemp -d /tmp/mirador-bench-api.XXXXXX)
TOKEN=mirador_bench-api-admin-token-0123456789abcdef
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start() { # port [ENV=value...] [-- options...]
  local port=$1; shift
  local env=() options=()
  while (( $# )) && [[ $1 != -- ]]; do env+=("$1"); shift; done
  [[ ${1:-} == -- ]] && { shift; options=("$@"); }
  env "${env[@]}" java -Xmx256m -jar "$JAR" standalone "${options[@]}" --http-port "$port" --data-dir "$WORK/$port" \
    > "$WORK/$port.log" 2>&1 &
  PIDS+=($!)
}
wait_up() {
  for _ in $(seq 1 600); do
    curl -fs -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$1/api/v1/agents" | grep -q '"status":"up"' && return
    sleep 0.1
  done
  echo "standalone on $1 did not come up:" >&2; tail -20 "$WORK/$1.log" >&2; exit 1
}

printf "auth:\n  enabled: true\n" > "$WORK/auth.yaml"
start 18180
# the second with auth on (its conf file says so) and the admin token of this script
start 18181 MIRADOR_ADMIN_TOKEN=$TOKEN -- --conf "$WORK/auth.yaml"
wait_up 18180
wait_up 18181
curl -fs -X PUT -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"password":"bench-password-1","role":"viewer"}' http://127.0.0.1:18181/api/v1/users/bench >/dev/null
SESSION=$(curl -fs -H 'content-type: application/json' -d '{"name":"bench","password":"bench-password-1"}' \
  http://127.0.0.1:18181/api/v1/login | jq -r .token)

echo "machine: $(nproc) cores; java: $(java -version 2>&1 | head -1); wrk: 1 thread, $CONNECTIONS connections, ${DURATION}s each"
echo "load before: $(uptime)"
run() { # label, url, header...
  local label=$1 url=$2; shift 2
  echo "== $label"
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" | grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx'
}
run "auth off (standalone on loopback), no credential" http://127.0.0.1:18180/api/v1/agents
run "auth on, API token" http://127.0.0.1:18181/api/v1/agents -H "authorization: Bearer $TOKEN"
run "auth on, session (JWT)" http://127.0.0.1:18181/api/v1/agents -H "authorization: Bearer $SESSION"
run "auth on, no credential (401)" http://127.0.0.1:18181/api/v1/agents
echo "load after: $(uptime)"
