#!/usr/bin/env bash
# Measures how long standalone mode takes from `java -jar` to the local agent listed "up" with its first
# CPU value readable through the API. Usage: scripts/measure-startup.sh [runs]  (needs target/mirador.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
port=18090
for run in $(seq "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  MIRADOR_HTTP_PORT=$port MIRADOR_DATA_DIR=$data java -jar target/mirador.jar >"$data/log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/api/v1/agents" 2>/dev/null | grep -q '"status":"up"'; do sleep 0.05; done
  up=$(date +%s%N)
  id=$(cat "$data/agent.id")
  until curl -sf "http://127.0.0.1:$port/api/v1/agents/$id/latest" 2>/dev/null | grep -q '"cpu.usage"'; do sleep 0.05; done
  cpu=$(date +%s%N)
  echo "run $run: agent up after $(( (up - start) / 1000000 )) ms, first cpu value after $(( (cpu - start) / 1000000 )) ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
