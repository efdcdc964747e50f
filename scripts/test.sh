#!/usr/bin/env bash
# Runs Mirador's whole test suite on a fresh Debian 12 machine: makes sure what the tests talk to is
# installed and running (Redis, RabbitMQ, Chromium for the dashboard test, the Nagios plugins for check
# tests, promtool for the /metrics lint), then runs Maven.
# Services that were already running are left as they are; the ones this script starts keep running.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1mtest.sh:\033[0m %s\n' "$*"; }

apt_updated=""
need_package() { # need_package COMMAND PACKAGE...
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
  shift
  log "installing $*"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${seconds}s"; return 1
}

need_package java openjdk-17-jdk-headless
need_package mvn maven

# Redis on 127.0.0.1:6379
need_package redis-server redis-server
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting redis-server on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/test.log
  wait_for 30 "Redis" redis-cli -h 127.0.0.1 -p 6379 ping
fi

# RabbitMQ on 127.0.0.1:5672, guest/guest
need_package rabbitmq-server rabbitmq-server
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  log "starting rabbitmq-server"
  rabbitmq-server -detached
  wait_for 90 "RabbitMQ" rabbitmqctl -q await_startup
fi

# Chromium for the real-browser dashboard test
need_package chromium chromium

# Nagios plugins for the check tests (check_load, check_disk, check_procs…)
need_package /usr/lib/nagios/plugins/check_load monitoring-plugins-basic

# promtool (Debian's prometheus package) for PromtoolTest, which lints /metrics with `promtool check metrics`
need_package promtool prometheus
# Alertmanager (Debian's prometheus-alertmanager) for AlertmanagerNotifierTest, which posts alerts to a real one
need_package prometheus-alertmanager prometheus-alertmanager

log "running the test suite"
exec mvn -B -ntp test -Dmirador.requireBrowser=true "$@"
