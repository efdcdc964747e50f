#!/usr/bin/env bash
# Takeover benchmark: how long single-owner work (the "heartbeat" lease) takes to move to another hub node when its
# owner dies (kill -9) or hangs (SIGSTOP), in a cluster of three hub nodes on this machine.
#
#   scripts/bench-takeover.sh [TRIES]      (default 10)
#
# Starts three `java -jar target/mirador.jar hub --cluster` nodes, each with a conf file of its own in a temporary
# directory: their own Hazelcast cluster name and ports, their own HTTP ports, the shared Redis (db 10, a key prefix
# of this run's own, deleted at the end) and the shared RabbitMQ (a vhost of this run's own, made with rabbitmqctl
# and deleted at the end). Then TRIES times: finds the owner of "heartbeat" through GET /api/v1/cluster, kill -9's
# it, polls a survivor every 50 ms until another node owns the lease, starts the killed node again and waits until
# it is listed up. Once more with SIGSTOP in place of kill -9 (the hung owner is resumed with SIGCONT afterwards).
# Prints each try, p50 and max, and the machine's load (uptime) before and after. Builds nothing.
#
# Environment: HUB_JAVA_OPTS (default: -Xmx256m -XX:+UseSerialGC), LEASE_TTL_MS (hub.cluster.leaseTtlMs, 3000),
# KEEP_LOGS=1 keeps the nodes' logs (their directory is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mirador.jar
# the admin API token the nodes' first start takes (a hub asks for a login), sent by every curl below
TOKEN=mirador_bench-admin-token-0123456789abcdef
[[ -f $JAR ]] || { echo "no $JAR: build it first with  mvn -q package -DskipTests" >&2; exit 1; }
TRIES=${1:-10}
JAVA_OPTS=${HUB_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
TTL=${LEASE_TTL_MS:-3000}
RUN="bench-takeover-$$"
PREFIX="$RUN:"
REDIS_DB=10
VHOST=$RUN
WORK=$(mktemp -d "/tmp/$RUN.XXXXXX")
declare -a PIDS=() HTTP=()
STOPPED_PID=

now_ms() { date +%s%3N; }

# a port nothing listens on (connect refused), from $1 on
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# the first of $2 consecutive free ports from $1 on
free_block() {
  local base=$1 count=$2 i
  while :; do
    for ((i = 0; i < count; i++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null && break
    done
    ((i == count)) && { echo "$base"; return; }
    base=$((base + i + 1))
  done
}

finish() {
  set +e
  [[ -n $STOPPED_PID ]] && kill -CONT "$STOPPED_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do gone "$pid"; done
  redis-cli -n $REDIS_DB --scan --pattern "$PREFIX*" | xargs -r -n 1000 redis-cli -n $REDIS_DB unlink >/dev/null
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null

HZ_PORT=$(free_block $((6300 + RANDOM % 500)) 6)
next=$((18300 + RANDOM % 500))
for n in 0 1 2; do
  HTTP[n]=$(free_port "$next")
  next=$((HTTP[n] + 1))
  cat > "$WORK/node$n.json" <<EOF
{
  "http": {"host": "127.0.0.1", "port": ${HTTP[n]}},
  "cluster": {"name": "$RUN", "port": $HZ_PORT},
  "hub": {"cluster": {"leaseTtlMs": $TTL}},
  "auth": {"adminToken": "$TOKEN"},
  "store": {"type": "redis", "redis": {"url": "redis://127.0.0.1:6379/$REDIS_DB", "prefix": "$PREFIX"}},
  "transport": {"type": "rabbitmq", "amqp": {"url": "amqp://guest:guest@127.0.0.1:5672/$VHOST"}}
}
EOF
done

start_node() {
  local n=$1
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" hub --cluster --conf "$WORK/node$n.json" >> "$WORK/node$n.log" 2>&1 &
  PIDS[n]=$!
  disown "${PIDS[n]}" # no "Killed" line from bash for each kill -9; gone() waits for it instead
}

# waits up to 30 s until process $1 is gone
gone() {
  local i
  for ((i = 0; i < 300; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  echo "process $1 still there after 30 s" >&2
}

# the node id that answers on node $1, once it answers
node_id() { curl -fs --max-time 2 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:${HTTP[$1]}/api/v1/health" 2>/dev/null | jq -r '.node // empty'; }

# "<node id> <owner>" of lease $2 as node $1 sees it, empty when nobody holds it or the node does not answer
lease_owner() {
  curl -fs --max-time 2 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:${HTTP[$1]}/api/v1/cluster" 2>/dev/null \
    | jq -r --arg role "$2" '.owners[] | select(.role == $role) | "\(.node) \(.owner)"'
}

# waits until node $1 answers and node $2 lists it up; prints its id
wait_up() {
  local n=$1 seen=$2 id="" deadline=$(( $(now_ms) + 120000 ))
  while (( $(now_ms) < deadline )); do
    kill -0 "${PIDS[n]}" 2>/dev/null || { echo "node$n exited:" >&2; tail -20 "$WORK/node$n.log" >&2; exit 1; }
    id=$(node_id "$n")
    if [[ -n $id ]] && curl -fs --max-time 2 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:${HTTP[$seen]}/api/v1/cluster" 2>/dev/null \
        | jq -e --arg id "$id" '.nodes[] | select(.id == $id and .status == "up")' >/dev/null; then
      echo "$id"; return
    fi
    sleep 0.2
  done
  echo "node$n not up within 120 s" >&2; exit 1
}

# waits until lease $1 has an owner; prints the index of the node that owns it
owner_node() {
  local role=$1 deadline=$(( $(now_ms) + 60000 )) n owner
  while (( $(now_ms) < deadline )); do
    owner=$(lease_owner 0 "$role"); owner=${owner%% *}
    for n in 0 1 2; do
      [[ -n $owner && $owner == "${IDS[n]}" ]] && { echo "$n"; return; }
    done
    sleep 0.05
  done
  echo "nobody owns $role within 60 s" >&2; exit 1
}

# polls node $2 every 50 ms until a node other than $1 (an id) owns "heartbeat"; prints the ms since $3
wait_new_owner() {
  local old=$1 survivor=$2 since=$3 owner deadline=$(( $(now_ms) + 60000 ))
  while (( $(now_ms) < deadline )); do
    owner=$(lease_owner "$survivor" heartbeat); owner=${owner%% *}
    if [[ -n $owner && $owner != "$old" ]]; then echo $(( $(now_ms) - since )); return; fi
    sleep 0.05
  done
  echo "no new owner of heartbeat within 60 s" >&2; exit 1
}

echo "load before: $(uptime)"
echo "cores: $(nproc); java: $(java -version 2>&1 | head -1); options: $JAVA_OPTS; leaseTtlMs: $TTL; work dir: $WORK"
started=$(now_ms)
for n in 0 1 2; do start_node "$n"; done
declare -a IDS=()
for n in 0 1 2; do IDS[n]=$(wait_up "$n" 0); done
echo "3 nodes up after $(( $(now_ms) - started )) ms"

declare -a TIMES=()
for try in $(seq 1 "$TRIES"); do
  victim=$(owner_node heartbeat)
  survivor=$(( (victim + 1) % 3 ))
  kill -9 "${PIDS[victim]}"
  killed=$(now_ms)
  ms=$(wait_new_owner "${IDS[victim]}" "$survivor" "$killed")
  TIMES+=("$ms")
  gone "${PIDS[victim]}"
  start_node "$victim"
  IDS[victim]=$(wait_up "$victim" "$survivor")
  printf "try %2d: kill -9 node%d, another node owns heartbeat after %5d ms; node%d back up %d ms after the kill\n" \
    "$try" "$victim" "$ms" "$victim" $(( $(now_ms) - killed ))
done

sorted=$(printf "%s\n" "${TIMES[@]}" | sort -n)
count=${#TIMES[@]}
p50=$(echo "$sorted" | sed -n "$(( (count + 1) / 2 ))p")
max=$(echo "$sorted" | tail -1)
echo "kill -9 of the owner -> another owner, $count tries: p50 $p50 ms, max $max ms (min $(echo "$sorted" | head -1) ms)"

victim=$(owner_node heartbeat)
survivor=$(( (victim + 1) % 3 ))
STOPPED_PID=${PIDS[victim]}
kill -STOP "$STOPPED_PID"
stopped=$(now_ms)
ms=$(wait_new_owner "${IDS[victim]}" "$survivor" "$stopped")
kill -CONT "$STOPPED_PID"
STOPPED_PID=
echo "SIGSTOP of the owner (node$victim) -> another owner after $ms ms (then SIGCONT)"
echo "load after: $(uptime)"
