#!/usr/bin/env bash
# A local cluster on 127.0.0.1: one etcd, one embedded PostgreSQL and 5 nodes (node 5 runs with
# byzantine-testing = on so the demo can make it cheat on the real wire).
#
#   scripts/cluster.sh up       start everything (certs, jar and etcd are made/installed if missing)
#   scripts/cluster.sh status   what runs, and each node's view of its peers
#   scripts/cluster.sh demo     up (if needed), then a scripted story: a vote, each kind of cheating
#   scripts/cluster.sh logs [N] the logs (of node N, or etcd / postgres)
#   scripts/cluster.sh down     stop what `up` started (by pid), nothing else
#
# Environment: RUN_DIR (default run/cluster), NODES (5), THRESHOLD (4), BASE_PORT (9001),
# ETCD_PORT (23790), PG_PORT (55432), VOTE_TIMEOUT_SECS (15), CERTS_DIR (certs), JAVA_OPTS.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
RUN_DIR="${RUN_DIR:-$root/run/cluster}"
NODES="${NODES:-5}"
THRESHOLD="${THRESHOLD:-4}"
BASE_PORT="${BASE_PORT:-9001}"
ETCD_PORT="${ETCD_PORT:-23790}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-23800}"
PG_PORT="${PG_PORT:-55432}"
VOTE_TIMEOUT_SECS="${VOTE_TIMEOUT_SECS:-15}"
JAVA_OPTS="${JAVA_OPTS:--Xmx384m -XX:+UseSerialGC}"
CERTS="${CERTS_DIR:-$root/certs}"
JAR="$root/node/target/mtls-voting.jar"
BYZANTINE_NODE="$NODES"
# etcd's key prefix for application.conf's cluster-id "mtls-voting" (etcd.prefix unset).
ETCD_PREFIX="/mtls-voting/mtls-voting/"

say() { printf '\033[1m== %s\033[0m\n' "$*"; }
die() { echo "cluster.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1; }

nodes_spec() {
  local spec="" i
  for i in $(seq 1 "$NODES"); do spec+="${spec:+,}$i@127.0.0.1:$((BASE_PORT + i - 1))"; done
  echo "$spec"
}
export MTLS_NODES="$(nodes_spec)"
export CA_CERT_PATH="$CERTS/ca.crt" CLIENT_CERT_PATH="$CERTS/client.crt" CLIENT_KEY_PATH="$CERTS/client.key"

cli() { java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" "$@"; }

etcdctl3() { ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" "$@"; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_etcd() {
  need etcd && need etcdctl && return 0
  if [ "$(id -u)" -eq 0 ] && need apt-get; then
    say "installing etcd-server and etcd-client (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null
  else
    die "etcd is missing: install it (Debian/Ubuntu: sudo apt-get install etcd-server etcd-client) and run again"
  fi
}

prepare() {
  need java || die "a JDK 17 is required (java not found)"
  need openssl || die "openssl is required to make certificates (apt-get install openssl)"
  install_etcd
  mkdir -p "$RUN_DIR"
  if [ ! -f "$CERTS/ca.crt" ] || [ ! -f "$CERTS/node$NODES.crt" ] || [ ! -f "$CERTS/client.crt" ]; then
    say "generating certificates into $CERTS"
    "$root/scripts/generate-certs.sh" --out "$CERTS" --nodes "$NODES" >/dev/null
  fi
  if [ ! -f "$JAR" ]; then
    need mvn || die "Maven is required to build $JAR (mvn not found)"
    say "building $JAR (mvn -DskipTests package)"
    mvn -B -q -ntp -DskipTests package >/dev/null || die "the build failed; run 'mvn -DskipTests package' to see why"
  fi
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "timed out after ${limit}s waiting for $what (see $RUN_DIR/*.log)"
    sleep 0.5
  done
}

start_etcd() {
  alive "$RUN_DIR/etcd.pid" && return 0
  say "starting etcd on 127.0.0.1:$ETCD_PORT"
  etcd --name local --data-dir "$RUN_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --auto-compaction-mode periodic --auto-compaction-retention 1h >"$RUN_DIR/etcd.log" 2>&1 &
  echo $! >"$RUN_DIR/etcd.pid"
  wait_for 30 "etcd" etcdctl3 endpoint health
  alive "$RUN_DIR/etcd.pid" || die "etcd exited (is port $ETCD_PORT in use? set ETCD_PORT); see $RUN_DIR/etcd.log"
}

start_postgres() {
  alive "$RUN_DIR/postgres.pid" && return 0
  say "starting the embedded PostgreSQL on 127.0.0.1:$PG_PORT (data in $RUN_DIR/postgres)"
  java -Xmx128m -XX:+UseSerialGC -jar "$JAR" postgres --data-dir "$RUN_DIR/postgres" --port "$PG_PORT" \
    >"$RUN_DIR/postgres.log" 2>&1 &
  echo $! >"$RUN_DIR/postgres.pid"
  wait_for 90 "PostgreSQL" grep -q '^POSTGRES_URL=' "$RUN_DIR/postgres.log"
  alive "$RUN_DIR/postgres.pid" || die "PostgreSQL exited (is port $PG_PORT in use? set PG_PORT); see $RUN_DIR/postgres.log"
}

postgres_url() { grep '^POSTGRES_URL=' "$RUN_DIR/postgres.log" | tail -1 | cut -d= -f2-; }

start_node() {
  local i=$1 byz=off
  alive "$RUN_DIR/node-$i.pid" && return 0
  [ "$i" = "$BYZANTINE_NODE" ] && byz=on
  NODE_ID=$i LISTEN_ADDR="127.0.0.1:$((BASE_PORT + i - 1))" BOOTSTRAP_PEERS="$MTLS_NODES" \
    TOTAL_NODES=$NODES THRESHOLD=$THRESHOLD VOTE_TIMEOUT_SECS=$VOTE_TIMEOUT_SECS \
    NODE_CERT_PATH="$CERTS/node$i.crt" NODE_KEY_PATH="$CERTS/node$i.key" \
    POSTGRES_URL="$(postgres_url)" ETCD_ENDPOINTS="http://127.0.0.1:$ETCD_PORT" BYZANTINE_TESTING=$byz \
    JAVA_OPTS="$JAVA_OPTS" "$root/scripts/mtls-voting" run --config "$root/application.conf" >"$RUN_DIR/node-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/node-$i.pid"
}

mesh_formed() {
  local i
  for i in $(seq 1 "$NODES"); do
    alive "$RUN_DIR/node-$i.pid" || die "node $i exited; see $RUN_DIR/node-$i.log"
    cli peers --node "$i" --json | grep -o '"state" *: *"CONNECTED"' | wc -l | grep -qx "$((NODES - 1))" || return 1
  done
}

cmd_up() {
  prepare
  start_etcd
  start_postgres
  say "starting $NODES nodes on 127.0.0.1:$BASE_PORT.. (node $BYZANTINE_NODE with byzantine-testing = on)"
  for i in $(seq 1 "$NODES"); do start_node "$i"; done
  wait_for 300 "the mesh to form" mesh_formed
  say "cluster up: $NODES nodes, threshold $THRESHOLD; logs and pids in $RUN_DIR"
}

stop_pid() { # stop_pid FILE NAME
  local f=$1 name=$2 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

cmd_down() {
  local i
  for i in $(seq 1 "$NODES"); do stop_pid "$RUN_DIR/node-$i.pid" "node $i"; done
  stop_pid "$RUN_DIR/postgres.pid" "postgres"
  stop_pid "$RUN_DIR/etcd.pid" "etcd"
}

cmd_status() {
  local i any=0
  for f in etcd postgres $(for i in $(seq 1 "$NODES"); do echo "node-$i"; done); do
    if alive "$RUN_DIR/$f.pid"; then echo "$f: running (pid $(cat "$RUN_DIR/$f.pid"))"; any=1
    else echo "$f: stopped"; fi
  done
  [ $any -eq 1 ] || return 3
  for i in $(seq 1 "$NODES"); do
    alive "$RUN_DIR/node-$i.pid" && { echo; cli peers --node "$i" || true; }
  done
}

cmd_logs() {
  local which=${1:-}
  if [ -z "$which" ]; then tail -n 20 "$RUN_DIR"/*.log
  elif [ -f "$RUN_DIR/node-$which.log" ]; then tail -n 200 "$RUN_DIR/node-$which.log"
  else tail -n 200 "$RUN_DIR/$which.log"; fi
}

sql() {
  if need psql; then psql "$(postgres_url | sed 's/^jdbc://')" -P pager=off -c "$1"
  else echo "(psql not installed: apt-get install postgresql-client; query was: $1)"; fi
}

# What etcd holds for this cluster, bounded whatever its size (a bench leaves one consensus key per
# tx): the config, members and bans, how many QCs, and the QC of tx $1. Nothing is piped into
# `head`, which under pipefail would fail the script once the list is longer than what it shows.
etcd_summary() {
  local count
  etcdctl3 get "${ETCD_PREFIX}config" --keys-only | sed '/^$/d'
  etcdctl3 get "${ETCD_PREFIX}members/" --prefix --keys-only | sed '/^$/d'
  etcdctl3 get "${ETCD_PREFIX}banned/" --prefix --keys-only | sed '/^$/d'
  count=$(etcdctl3 get "${ETCD_PREFIX}consensus/" --prefix --keys-only --limit 1 -w json | grep -o '"count":[0-9]*' | cut -d: -f2)
  echo "${ETCD_PREFIX}consensus/: ${count:-0} QCs, among them:"
  etcdctl3 get "${ETCD_PREFIX}consensus/$1" --keys-only | sed '/^$/d'
}

cmd_demo() {
  alive "$RUN_DIR/node-1.pid" || cmd_up
  local tx="demo-$(date +%s)" i
  say "1. every node votes 42 on $tx (in parallel) and waits for its decision"
  local pids=()
  for i in $(seq 1 "$NODES"); do
    cli vote --tx-id "$tx" --value 42 --node "$i" --wait --timeout 60 & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "a vote failed (see above)"; done
  cli status --tx-id "$tx" --node 1
  cli verify-certificate --tx-id "$tx" --node 1
  for t in double-vote minority-attack invalid-signature silent; do
    say "2. node $BYZANTINE_NODE cheats: $t"
    # A banned node's votes are ignored, so lift the previous attack's ban first.
    cli unban --node "$BYZANTINE_NODE" >/dev/null || true
    cli test-byzantine --test-type "$t" --node "$BYZANTINE_NODE" --tx-id "demo-$t-$(date +%s)"
  done
  say "3. what the audit trail recorded (PostgreSQL)"
  sql "SELECT observed_by, tx_id, node_id AS offender, violation_type, detected_at FROM byzantine_violations ORDER BY id DESC LIMIT 20;"
  sql "SELECT observed_by, node_id, round(score::numeric, 2) AS score, banned FROM reputation_scores WHERE node_id = $BYZANTINE_NODE ORDER BY observed_by;"
  say "4. what etcd holds"
  etcd_summary "$tx"
  say "5. peers as node 1 sees them"
  cli peers --node 1
  echo
  echo "The cluster keeps running: 'scripts/cluster.sh status', 'scripts/cluster.sh down'."
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  demo) cmd_demo ;;
  logs) shift; cmd_logs "${1:-}" ;;
  -h|--help|help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
