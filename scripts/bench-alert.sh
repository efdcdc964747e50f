#!/usr/bin/env bash
# Alert latency benchmark: from an agent publishing a sample (over RabbitMQ) to a webhook receiving the
# notification, for a Mirador hub under background ingest load, and for Prometheus + Alertmanager beside it in the
# same run, timed by the same clock.
#
#   scripts/bench-alert.sh                        # 200 alerts, one every 200 ms, under 100,000 samples/s
#   ALERTS=500 LOAD="--agents 1000 --metrics 150 --interval 1" scripts/bench-alert.sh
#   PEER=0 scripts/bench-alert.sh                 # the hub alone
#
# The hub and the load come from scripts/bench-ingest.sh (its own vhost and Redis db; HUB_* variables apply);
# `mirador bench --alert-probes N` defines the rule `bench-alert` (bench.alert > 0, for 0s) and a webhook notifier
# (groupBy ["..."], groupWait 0s) on the hub, then makes one new series cross it every --alert-interval ms
# (see io.mirador.bench.AlertProbe). The same instant, the bench's /metrics shows the gauge bench_alert{n} = 1 to a
# Prometheus (scrape and evaluation every 1 s: its fastest sensible settings; its defaults are 1 m each) whose rule
# is the same with `for: 0s`, and whose Alertmanager (group_by ['...'], group_wait 0s) posts to the bench as well.
# Needs target/mirador.jar and Debian's prometheus and prometheus-alertmanager.
set -euo pipefail
cd "$(dirname "$0")/.."

ALERTS=${ALERTS:-200}
INTERVAL_MS=${INTERVAL_MS:-200}
PORT=${ALERT_PORT:-18099}
LOAD=${LOAD:---agents 1000 --metrics 100 --interval 1}
PEER=${PEER:-1}
WORK=$(mktemp -d /tmp/mirador-bench-alert.XXXXXX)
PIDS=()

finish() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap finish EXIT

if [[ $PEER == 1 ]]; then
  command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null \
    || { echo "needs prometheus and prometheus-alertmanager (apt-get install prometheus prometheus-alertmanager), or PEER=0" >&2; exit 1; }
  cat > "$WORK/alertmanager.yml" <<EOF
route: {receiver: bench, group_by: ['...'], group_wait: 0s, group_interval: 1s, repeat_interval: 4h}
receivers:
  - name: bench
    webhook_configs: [{url: 'http://127.0.0.1:$PORT/peer', send_resolved: false}]
EOF
  cat > "$WORK/rules.yml" <<EOF
groups:
  - name: bench
    rules:
      - {alert: bench-alert, expr: 'bench_alert > 0', for: 0s, labels: {severity: critical}}
EOF
  cat > "$WORK/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ['$WORK/rules.yml']
alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:19093']}]}]}
scrape_configs: [{job_name: bench, static_configs: [{targets: ['127.0.0.1:$PORT']}]}]
EOF
  prometheus-alertmanager --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
    --web.listen-address=127.0.0.1:19093 --cluster.listen-address= > "$WORK/alertmanager.log" 2>&1 &
  PIDS+=($!)
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
    --web.listen-address=127.0.0.1:19090 > "$WORK/prometheus.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -fs http://127.0.0.1:19093/-/ready >/dev/null 2>&1 && curl -fs http://127.0.0.1:19090/-/ready >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "peer: $(prometheus --version 2>&1 | head -1); $(prometheus-alertmanager --version 2>&1 | head -1)"
fi

# the probe agent does not enroll: the hub takes envelopes unauthenticated (AGENT_AUTH=off), what authentication
# costs is measured on its own (docs/PERFORMANCE.md)
export AGENT_AUTH=${AGENT_AUTH:-off}
# the measured window covers the probes; the load runs on until every probe was notified
DURATION=$(( (ALERTS * INTERVAL_MS + 999) / 1000 + 5 ))
# shellcheck disable=SC2086
scripts/bench-ingest.sh $LOAD --warmup 15 --duration "$DURATION" --alert-probes "$ALERTS" --alert-interval "$INTERVAL_MS" \
  --alert-port "$PORT" "$@"
