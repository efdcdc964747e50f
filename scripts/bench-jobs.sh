#!/usr/bin/env bash
# Jobs benchmark: from POST /api/v1/jobs to every result stored, `echo hello` on simulated agents (io.mirador.bench.JobsBench:
# agents on one AMQP connection that consume their command queues and run the script as a child process), beside
# Ansible doing the same fan-out on the same machine in the same run (inventory of as many hosts with
# ansible_connection=local, forks = parallel, the raw and command modules).
#
#   scripts/bench-jobs.sh [AGENTS...]          default: 100 1000
#   PARALLEL=100 ANSIBLE=0 scripts/bench-jobs.sh 1000
#   NO_PROCESS=1 ANSIBLE=0 scripts/bench-jobs.sh 1000   (agents answer without starting a process: the hub's share)
#   MODULES=raw scripts/bench-jobs.sh 1000      (Ansible's command module takes minutes per 100 hosts here)
#
# HUB_LOG=file keeps the hub's log. Uses its own RabbitMQ vhost (mirador-bench-jobs) and Redis db 10, emptied before and after. Prints the load average
# before and after each measurement. Needs target/mirador.jar (mvn -q package -DskipTests) and, for the comparison,
# ansible-playbook.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mirador.jar
[[ -f $JAR ]] || { echo "no $JAR: run mvn -q package -DskipTests first" >&2; exit 1; }
PORT=${HUB_PORT:-18091}
PARALLEL=${PARALLEL:-100}
VHOST=mirador-bench-jobs
WORK=$(mktemp -d /tmp/mirador-bench-jobs.XXXXXX)
AMQP="amqp://guest:guest@127.0.0.1:5672/$VHOST"
HUB_PID=

clean() {
  redis-cli -n 10 --scan --pattern 'mirador:*' | xargs -r -n 1000 redis-cli -n 10 unlink >/dev/null
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
}
finish() {
  if [[ -n $HUB_PID ]] && kill -0 "$HUB_PID" 2>/dev/null; then kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; fi
  clean
  if [[ -n ${HUB_LOG:-} ]]; then cp "$WORK/hub.log" "$HUB_LOG"; fi
  rm -rf "$WORK"
}
trap finish EXIT

clean
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
# the simulated agents do not enroll: the hub takes their envelopes unauthenticated (hub.agents.authenticate: false);
# what authentication costs per envelope is measured on its own (docs/PERFORMANCE.md, AgentAuthenticatorBench)
printf "store: {type: redis}\ntransport: {type: rabbitmq}\nhub: {jobs: {enabled: true}, agents: {authenticate: false}}\n" > "$WORK/hub.yaml"
export MIRADOR_ADMIN_TOKEN="${MIRADOR_ADMIN_TOKEN:-mirador_bench-admin-token-0123456789abcdef}"
export MIRADOR_TOKEN="$MIRADOR_ADMIN_TOKEN"
MIRADOR_REDIS_URL="redis://127.0.0.1:6379/10" MIRADOR_AMQP_URL="$AMQP" \
  java ${HUB_JAVA_OPTS:-} -jar "$JAR" hub --conf "$WORK/hub.yaml" --http-host 127.0.0.1 --http-port "$PORT" > "$WORK/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 600); do
  curl -fs -H "authorization: Bearer $MIRADOR_TOKEN" "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$HUB_PID" 2>/dev/null || { echo "hub exited:" >&2; tail -20 "$WORK/hub.log" >&2; exit 1; }
  sleep 0.1
done
echo "cores: $(nproc); hub pid $HUB_PID; parallel $PARALLEL"

ansible_run() { # hosts module
  local n=$1 module=$2 inv="$WORK/inventory-$1.ini"
  { echo "[fleet]"; for ((i = 0; i < n; i++)); do echo "h$i ansible_connection=local ansible_python_interpreter=$(command -v python3)"; done; } > "$inv"
  local start end
  start=$(date +%s.%N)
  ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_FORKS=$PARALLEL ANSIBLE_GATHERING=explicit ansible fleet -i "$inv" -m "$module" -a 'echo hello' \
    > "$WORK/ansible-$module-$n.log" 2>&1 || true
  end=$(date +%s.%N)
  local ok
  ok=$(grep -c 'CHANGED\|SUCCESS' "$WORK/ansible-$module-$n.log" || true)
  printf "ansible %s: %d hosts, forks %d: %.2f s (%d ok)\n" "$module" "$n" "$PARALLEL" "$(echo "$end - $start" | bc)" "$ok"
}

for n in "${@:-100 1000}"; do
  for agents in $n; do
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    java ${BENCH_JAVA_OPTS:-} -cp "$JAR" io.mirador.bench.JobsBench "$AMQP" "http://127.0.0.1:$PORT" "$agents" "$PARALLEL" "echo hello" \
      ${NO_PROCESS:+--no-process}
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ ${ANSIBLE:-1} == 1 ]] && command -v ansible >/dev/null; then
      for module in ${MODULES:-raw command}; do
        echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        ansible_run "$agents" "$module"
        echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
      done
    fi
  done
done
if grep -E -q 'ERROR|Exception' "$WORK/hub.log"; then
  echo "the hub logged errors:"; grep -E 'ERROR|Exception' "$WORK/hub.log" | head -10
fi
