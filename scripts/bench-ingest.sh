#!/usr/bin/env bash
# Ingest benchmark: a hub on Redis and RabbitMQ, and the bench load generator against it, on this machine.
#
#   scripts/bench-ingest.sh [BENCH OPTIONS...]
#   scripts/bench-ingest.sh --agents 1000 --metrics 100 --interval 10 --duration 60 --warmup 15
#   HUB_YAML=my-hub.yaml scripts/bench-ingest.sh --agents 100 --metrics 1000 --saturate --window 50
#   HUB_NODES=3 scripts/bench-ingest.sh --agents 1000 --metrics 100 --saturate --window 500 --duration 60
#
# Uses its own RabbitMQ vhost (mirador-bench) and Redis db 9, both emptied before and after, so it neither sees
# nor disturbs anything else. Prints the load average before and after, the hub's settings and the bench's report.
# Needs target/mirador.jar (mvn -q package -DskipTests).
# Environment: HUB_YAML (the hub's --conf file; store and transport types must say redis and rabbitmq, their URLs
# come from this script), HUB_JAVA_OPTS, BENCH_JAVA_OPTS, HUB_PORT (default 18090), HUB_NODES (default 1: one hub
# node; 2 or more: that many nodes in a Hazelcast cluster of their own on loopback, HTTP ports from HUB_PORT on, the
# stored rate summed over their /metrics), HUB_CLUSTER=1 (a single node started with --cluster too),
# AGENT_AUTH (on, the default: the simulated agents enroll with a token and every envelope carries its HMAC, checked
# by the hub as in production; off: the hub runs with hub.agents.authenticate: false and the agents send no MAC;
# compare: off then on, each on a fresh hub and an emptied store and vhost, one report each, in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mirador.jar
[[ -f $JAR ]] || { echo "no $JAR: run mvn -q package -DskipTests first" >&2; exit 1; }
PORT=${HUB_PORT:-18090}
VHOST=mirador-bench
WORK=$(mktemp -d /tmp/mirador-bench.XXXXXX)
AMQP="amqp://guest:guest@127.0.0.1:5672/$VHOST"
NODES=${HUB_NODES:-1}
HUB_PIDS=()

clean() {
  redis-cli -n 9 --scan --pattern 'mirador:*' | xargs -r -n 1000 redis-cli -n 9 unlink >/dev/null
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
}

finish() {
  for pid in "${HUB_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  clean
  if [[ -n ${HUB_LOG:-} ]]; then cat "$WORK"/hub*.log > "$HUB_LOG"; fi
  rm -rf "$WORK"
}
trap finish EXIT

AUTH=${AGENT_AUTH:-on}
case $AUTH in on|off|compare) ;; *) echo "AGENT_AUTH must be on, off or compare, got '$AUTH'" >&2; exit 2 ;; esac
ENROLL_TOKEN="bench-$$-$RANDOM$RANDOM"

# one hub (or cluster) on an emptied store and vhost, the bench against it, the hub stopped; $1: on or off
run_once() {
local auth=$1
shift
clean
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
HUB_PIDS=()

# the store and the transport come from the environment, so HUB_YAML needs only what it changes
export MIRADOR_REDIS_URL="redis://127.0.0.1:6379/9" MIRADOR_AMQP_URL="$AMQP"
# a hub asks for a login: its first start takes this admin token, which curl and the bench's latency probe send
export MIRADOR_ADMIN_TOKEN="${MIRADOR_ADMIN_TOKEN:-mirador_bench-admin-token-0123456789abcdef}"
export MIRADOR_TOKEN="$MIRADOR_ADMIN_TOKEN"
if [[ -n ${HUB_YAML:-} ]]; then
  CONF=$HUB_YAML
else
  CONF="$WORK/hub.yaml"
  printf "store: {type: redis}\ntransport: {type: rabbitmq}\n" > "$CONF"
fi
ENROLL=()
if [[ $auth == off ]]; then
  if grep -q '^hub:' "$CONF"; then echo "AGENT_AUTH=off adds a hub: section; $CONF has one already" >&2; exit 2; fi
  cp "$CONF" "$WORK/hub-noauth.yaml"
  printf "hub: {agents: {authenticate: false}}\n" >> "$WORK/hub-noauth.yaml"
  CONF="$WORK/hub-noauth.yaml"
else
  # the hub takes it as its bootstrap token; the bench enrolls its simulated agents with it
  export MIRADOR_ENROLL_TOKEN=$ENROLL_TOKEN
  ENROLL=(--enroll-token "$ENROLL_TOKEN")
fi
CLUSTER=()
if (( NODES > 1 )) || [[ ${HUB_CLUSTER:-} == 1 ]]; then
  printf "cluster: {name: mirador-bench-%s, port: 5851}\n" "$$" > "$WORK/cluster.yaml"
  cat "$CONF" >> "$WORK/cluster.yaml"
  CONF="$WORK/cluster.yaml"
  CLUSTER=(--cluster)
fi
URLS=()
CPU_PIDS=()
for ((i = 0; i < NODES; i++)); do
  port=$((PORT + i))
  # shellcheck disable=SC2086
  java ${HUB_JAVA_OPTS:-} -jar "$JAR" hub --conf "$CONF" "${CLUSTER[@]}" --http-host 127.0.0.1 --http-port "$port" > "$WORK/hub$i.log" 2>&1 &
  HUB_PIDS+=($!)
  URLS+=("http://127.0.0.1:$port")
  CPU_PIDS+=("hub$i=$!")
done
for ((i = 0; i < NODES; i++)); do
  for _ in $(seq 1 600); do
    curl -fs -H "authorization: Bearer $MIRADOR_TOKEN" "${URLS[$i]}/api/v1/health" >/dev/null 2>&1 && break
    kill -0 "${HUB_PIDS[$i]}" 2>/dev/null || { echo "hub $i exited:" >&2; tail -20 "$WORK/hub$i.log" >&2; exit 1; }
    sleep 0.1
  done
done

echo "== per-envelope agent authentication: $auth"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
echo "hub: $NODES node(s) ${CLUSTER[*]}, pids ${HUB_PIDS[*]}, settings: $CONF${HUB_YAML:+ + $HUB_YAML}, java options: ${HUB_JAVA_OPTS:-none}"
status=0
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -jar "$JAR" bench --hub-url "$(IFS=,; echo "${URLS[*]}")" --amqp-url "$AMQP" \
  --cpu-pids "$(IFS=,; echo "${CPU_PIDS[*]}")" "${ENROLL[@]}" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if cat "$WORK"/hub*.log | grep -E -q 'ERROR|Exception'; then
  echo "the hub logged errors:"; cat "$WORK"/hub*.log | grep -E 'ERROR|Exception' | head -10
fi
for pid in "${HUB_PIDS[@]}"; do
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
unset MIRADOR_ENROLL_TOKEN
return $status
}

status=0
if [[ $AUTH == compare ]]; then
  run_once off "$@" || status=$?
  run_once on "$@" || status=$?
else
  run_once "$AUTH" "$@" || status=$?
fi
exit $status
