#!/usr/bin/env bash
# Check-push benchmark: what pushing check assignments costs the hub's event loops (hub/checks/CheckPushBench).
#
#   scripts/bench-check-push.sh [AGENTS] [CHECKS] [KB]        (defaults 100 100 50)
#
# An in-process hub (memory store, event-bus transport) with AGENTS agents, then CHECKS definitions of KB KB PUT one
# after the other, each PUT pushing every definition to every agent. Prints the load average before and after, the
# time taken and the largest event-loop lag the hub's probe saw (mirador_event_loop_lag_max_seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-100}
CHECKS=${2:-100}
KB=${3:-50}
echo "load before: $(uptime)"
mvn -q -o test -Dtest=CheckPushBench -Dsurefire.failIfNoSpecifiedTests=false -Dmirador.bench=true \
  -Dbench.agents="$AGENTS" -Dbench.checks="$CHECKS" -Dbench.kb="$KB" 2>&1 | grep -E "check pushes:|ERROR|FAIL" || true
grep -h "check pushes:" target/surefire-reports/io.mirador.hub.checks.CheckPushBench-output.txt 2>/dev/null | tail -1 || true
echo "load after: $(uptime)"
