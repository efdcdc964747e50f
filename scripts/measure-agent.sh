#!/usr/bin/env bash
# Measures the CPU and memory a Mirador process uses with every collector at one interval.
# Usage: scripts/measure-agent.sh [interval-seconds] [measure-seconds] [-- extra args for mirador.jar]
# Default: standalone (hub + agent in one JVM) at 10 s for 120 s after a 30 s warm-up. With `-- agent` it
# measures an agent alone, publishing to RabbitMQ (MIRADOR_AMQP_URL, default loopback). Needs target/mirador.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
interval=${1:-10}; duration=${2:-120}; shift $(( $# >= 2 ? 2 : $# )); [ "${1:-}" = "--" ] && shift
work=$(mktemp -d)
{
  echo "agent:"
  echo "  heartbeatSeconds: $interval"
  echo "  collectors:"
  for c in cpu memory load filesystem diskio network processes uptime; do echo "    $c: {intervalSeconds: $interval}"; done
  if [ "${1:-}" = "agent" ]; then echo "transport: {type: rabbitmq}"; fi
} > "$work/measure.yaml"
MIRADOR_HTTP_PORT=${MIRADOR_HTTP_PORT:-18095} MIRADOR_DATA_DIR="$work/data" \
  java ${JAVA_OPTS:-} -jar target/mirador.jar "$@" --conf "$work/measure.yaml" >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 30
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu); sleep "$duration"; after=$(cpu)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | grep -Eo 'used [0-9]+K' | head -1 || true)
awk -v d="$duration" -v t="$ticks" -v b="$before" -v a="$after" -v r="$rss_kb" -v h="$heap" -v i="$interval" 'BEGIN {
  printf "interval %ss: CPU %.2f%% of one core (%.2f s CPU in %ss), RSS %.0f MiB, heap %s\n", i, 100*(a-b)/t/d, (a-b)/t, d, r/1024, h }'
