#!/usr/bin/env bash
# A cluster on this machine, for a laptop or a CI job: one standalone ZooKeeper and N Sluice brokers on 127.0.0.1.
#   bin/sluice-cluster.sh start N [dir] [--override key=value ...]
#   bin/sluice-cluster.sh stop [dir]
# dir defaults to ./cluster. start prints the bootstrap list (127.0.0.1:p0,127.0.0.1:p1,...) once every broker
# printed its ready line, and writes it to dir/bootstrap. In dir:
#   zookeeper.properties, zookeeper/, zookeeper.log, zookeeper.pid   ZooKeeper (bin/zookeeper-server-start.sh)
#   broker-<id>.properties, broker-<id>/, broker-<id>.log, broker-<id>.pid   broker.id <id> (bin/sluice-server-start.sh)
# The ports are picked free on the first start and kept in the properties files, so a second start on the same
# dir (or `bin/sluice-server-start.sh dir/broker-<id>.properties` after a broker stopped) finds the same data at
# the same address. ZOOKEEPER_PORT picks ZooKeeper's port on the first start. --override key=value is written
# into every broker's properties file for this start (the last value of a key wins).
# stop sends SIGTERM to the brokers, waits until they exited, then does the same to ZooKeeper.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
READY_TIMEOUT_S="${SLUICE_CLUSTER_TIMEOUT_S:-120}"
STOP_TIMEOUT_S=60

usage() {
  echo "USAGE: $0 start N [dir] [--override key=value ...]" >&2
  echo "       $0 stop [dir]" >&2
  exit 1
}

fail() {
  echo "$*" >&2
  exit 1
}

# True when a TCP socket of this machine uses the port, locally or remotely (/proc/net/tcp{,6}: "address:PORT "
# in hex); remote ports only make the check more cautious.
port_taken() {
  grep -q ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Sets PORT to a port nothing uses now, below the kernel's ephemeral range (32768 and up by default), so that
# an outgoing connection does not take it between this pick and the bind a few seconds later.
PICKED=" "
pick_port() {
  local attempt
  for attempt in $(seq 200); do
    PORT=$((10000 + RANDOM % 22000))
    if ! port_taken "$PORT" && [[ "$PICKED" != *" $PORT "* ]]; then
      PICKED+="$PORT "
      return 0
    fi
  done
  fail "no free port found between 10000 and 32000"
}

# The value of key in a properties file written by this script (key=value lines), or nothing.
property() {
  sed -n "s/^$2=//p" "$1" | tail -1
}

# The pid in file when that process is alive and is the one this script started for dir: its command line
# names a file in dir (a pid reused by an unrelated process is left alone).
live_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/" || return 1
  echo "$pid"
}

# Waits until ZooKeeper answers the srvr four-letter word (enabled by default) as a serving server.
await_zookeeper() {
  local port="$1" pid="$2" deadline=$((SECONDS + READY_TIMEOUT_S))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$DIR/zookeeper.log" >&2; fail "ZooKeeper exited; its log: $DIR/zookeeper.log"; }
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf srvr >&3 && cat <&3" 2>/dev/null | grep -q '^Mode:'; then
      return 0
    fi
    sleep 0.2
  done
  fail "ZooKeeper did not serve on 127.0.0.1:$port within ${READY_TIMEOUT_S} s; its log: $DIR/zookeeper.log"
}

# Starts broker id in the background; its output is appended to broker-<id>.log, of which the first
# OFFSET_<id> bytes are from earlier starts.
launch_broker() {
  local id="$1" log="$DIR/broker-$1.log"
  touch "$log"
  eval "OFFSET_$id=$(stat -c %s "$log")"
  nohup "$HOME_DIR/bin/sluice-server-start.sh" "$DIR/broker-$id.properties" >> "$log" 2>&1 < /dev/null &
  echo $! > "$DIR/broker-$id.pid"
}

# Waits for broker id's ready line in this start's output and sets PORT to the port it names.
await_broker() {
  local id="$1" log="$DIR/broker-$1.log" pid offset line deadline=$((SECONDS + READY_TIMEOUT_S))
  pid="$(cat "$DIR/broker-$id.pid")"
  offset="OFFSET_$id"
  while [ $SECONDS -lt $deadline ]; do
    line="$(tail -c +$((${!offset} + 1)) "$log" | grep -m1 -o 'listening on \[PLAINTEXT://[^]:]*:[0-9]*' || true)"
    if [ -n "$line" ]; then
      PORT="${line##*:}"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -c +$((${!offset} + 1)) "$log" | tail -30 >&2
      return 1
    fi
    sleep 0.2
  done
  echo "broker $id printed no ready line within ${READY_TIMEOUT_S} s" >&2
  return 1
}

start() {
  [ $# -ge 1 ] || usage
  local n="$1" id rf zk_port pid bootstrap=""
  shift
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number of brokers, got '$n'"
  DIR="./cluster"
  if [ $# -gt 0 ] && [ "$1" != --override ]; then
    DIR="$1"
    shift
  fi
  local overrides=()
  while [ $# -gt 0 ]; do
    [ "$1" = --override ] && [ $# -ge 2 ] && [[ "$2" == *=* ]] || usage
    overrides+=("$2")
    shift 2
  done
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  for f in "$DIR"/zookeeper.pid "$DIR"/broker-*.pid; do
    if live_pid "$f" >/dev/null; then
      fail "a cluster is running in $DIR already ($f); stop it with: $0 stop $DIR"
    fi
  done

  # ZooKeeper: its port is kept once picked, the brokers' zookeeper.connect names it
  if [ -f "$DIR/zookeeper.properties" ]; then
    zk_port="$(property "$DIR/zookeeper.properties" clientPort)"
  else
    if [ -n "${ZOOKEEPER_PORT:-}" ]; then
      zk_port="$ZOOKEEPER_PORT"
    else
      pick_port
      zk_port="$PORT"
    fi
    cat > "$DIR/zookeeper.properties" <<EOF
# written by bin/sluice-cluster.sh
dataDir=$DIR/zookeeper
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
EOF
  fi
  PICKED+="$zk_port "
  nohup "$HOME_DIR/bin/zookeeper-server-start.sh" "$DIR/zookeeper.properties" >> "$DIR/zookeeper.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$DIR/zookeeper.pid"
  await_zookeeper "$zk_port" "$pid"

  # Brokers: a port kept from an earlier start, or a new one
  rf=$((n < 3 ? n : 3))
  for ((id = 0; id < n; id++)); do
    local props="$DIR/broker-$id.properties" port=""
    if [ -f "$props" ]; then
      port="$(property "$props" listeners)"
      port="${port##*:}"
    fi
    if [ -z "$port" ]; then
      pick_port
      port="$PORT"
    fi
    PICKED+="$port "
    {
      echo "# written by bin/sluice-cluster.sh for broker $id of $n"
      echo "broker.id=$id"
      echo "listeners=PLAINTEXT://127.0.0.1:$port"
      echo "log.dirs=$DIR/broker-$id"
      echo "zookeeper.connect=127.0.0.1:$zk_port"
      # Kafka's default of 3 cannot be met by a smaller cluster
      echo "offsets.topic.replication.factor=$rf"
      for kv in ${overrides[@]+"${overrides[@]}"}; do
        echo "$kv"
      done
    } > "$props"
  done

  # Broker 0 first, alone: after a build, the start script's first run writes the class-data-sharing archive,
  # which brokers started side by side would each write at once. The others then start together.
  launch_broker 0
  await_broker 0 || { stop_all; fail "broker 0 did not start; its log: $DIR/broker-0.log"; }
  bootstrap="127.0.0.1:$PORT"
  for ((id = 1; id < n; id++)); do
    launch_broker "$id"
  done
  for ((id = 1; id < n; id++)); do
    await_broker "$id" || { stop_all; fail "broker $id did not start; its log: $DIR/broker-$id.log"; }
    bootstrap+=",127.0.0.1:$PORT"
  done
  echo "$bootstrap" > "$DIR/bootstrap"
  echo "$bootstrap"
}

# SIGTERM to each pid file's live process, then waits for all of them; SIGKILL for any still alive after
# STOP_TIMEOUT_S. Removes the pid files.
terminate() {
  local f pid pids=() files=() deadline=$((SECONDS + STOP_TIMEOUT_S))
  for f in "$@"; do
    [ -f "$f" ] || continue
    if pid="$(live_pid "$f")"; then
      kill -TERM "$pid"
      pids+=("$pid")
    fi
    files+=("$f")
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not stop within ${STOP_TIMEOUT_S} s of SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f ${files[@]+"${files[@]}"}
}

# Brokers first, so that they deregister from a ZooKeeper that is still there.
stop_all() {
  terminate "$DIR"/broker-*.pid
  terminate "$DIR/zookeeper.pid"
}

stop() {
  DIR="${1:-./cluster}"
  [ $# -le 1 ] || usage
  [ -d "$DIR" ] || fail "no cluster directory $DIR"
  DIR="$(cd "$DIR" && pwd)"
  stop_all
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) usage ;;
esac
