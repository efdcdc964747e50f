#!/usr/bin/env bash
# Ingest benchmark: a hub on Redis and RabbitMQ, and the bench load generator against it, on this machine.
#
#   scripts/bench-ingest.sh [BENCH OPTIONS...]
#   scripts/bench-ingest.sh --agents 1000 --metrics 100 --interval 10 --duration 60 --warmup 15
#   HUB_YAML=my-hub.yaml scripts/bench-ingest.sh --agents 100 --metrics 1000 --saturate --window 50
#
# Uses its own RabbitMQ vhost (mirador-bench) and Redis db 9, both emptied before and after, so it neither sees
# nor disturbs anything else. Prints the load average before and after, the hub's settings and the bench's report.
# Needs target/mirador.jar (mvn -q package -DskipTests).
# Environment: HUB_YAML (the hub's --conf file; store and transport types must say redis and rabbitmq, their URLs
# come from this script), HUB_JAVA_OPTS, BENCH_JAVA_OPTS, HUB_PORT (default 18090).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mirador.jar
[[ -f $JAR ]] || { echo "no $JAR: run mvn -q package -DskipTests first" >&2; exit 1; }
PORT=${HUB_PORT:-18090}
VHOST=mirador-bench
WORK=$(mktemp -d /tmp/mirador-bench.XXXXXX)
AMQP="amqp://guest:guest@127.0.0.1:5672/$VHOST"
HUB_PID=

clean() {
  redis-cli -n 9 --scan --pattern 'mirador:*' | xargs -r -n 1000 redis-cli -n 9 unlink >/dev/null
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
}

finish() {
  if [[ -n $HUB_PID ]] && kill -0 "$HUB_PID" 2>/dev/null; then
    kill "$HUB_PID"
    wait "$HUB_PID" 2>/dev/null || true
  fi
  clean
  if [[ -n ${HUB_LOG:-} ]]; then cp "$WORK/hub.log" "$HUB_LOG"; fi
  rm -rf "$WORK"
}
trap finish EXIT

clean
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null

# the store and the transport come from the environment, so HUB_YAML needs only what it changes
export MIRADOR_REDIS_URL="redis://127.0.0.1:6379/9" MIRADOR_AMQP_URL="$AMQP" MIRADOR_HTTP_PORT="$PORT"
if [[ -n ${HUB_YAML:-} ]]; then
  CONF=$HUB_YAML
else
  CONF="$WORK/hub.yaml"
  printf "store: {type: redis}\ntransport: {type: rabbitmq}\n" > "$CONF"
fi
# shellcheck disable=SC2086
java ${HUB_JAVA_OPTS:-} -jar "$JAR" hub --conf "$CONF" --http-host 127.0.0.1 > "$WORK/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$HUB_PID" 2>/dev/null || { echo "the hub exited:" >&2; tail -20 "$WORK/hub.log" >&2; exit 1; }
  sleep 0.1
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
echo "hub: pid $HUB_PID, settings: $CONF${HUB_YAML:+ + $HUB_YAML}, java options: ${HUB_JAVA_OPTS:-none}"
status=0
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -jar "$JAR" bench --hub-url "http://127.0.0.1:$PORT" --amqp-url "$AMQP" \
  --cpu-pids "hub=$HUB_PID" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -E -q 'ERROR|Exception' "$WORK/hub.log"; then
  echo "the hub logged errors:"; grep -E 'ERROR|Exception' "$WORK/hub.log" | head -10
fi
exit $status
