#!/usr/bin/env bash
# Starts a standalone ZooKeeper from Sluice's own jars, like Kafka's zookeeper-server-start.sh.
#   bin/zookeeper-server-start.sh [-daemon] [config/zookeeper.properties]
# Runs ZooKeeper's QuorumPeerMain, which serves standalone when the file names no other servers. The
# zookeeper jar is the one the broker uses (server/target/lib). With -daemon it runs in the background,
# its output in $LOG_DIR/zookeeper.out (LOG_DIR defaults to logs/ here), as Kafka's script does.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR_DIR="$HOME_DIR/server/target"

DAEMON=false
if [ "${1:-}" = -daemon ]; then
  DAEMON=true
  shift
fi
case "${1:-}" in
  -h|--help) echo "USAGE: $0 [-daemon] [zookeeper.properties]"; exit 0 ;;
  -*) echo "USAGE: $0 [-daemon] [zookeeper.properties]" >&2; exit 1 ;;
esac
CONFIG="${1:-$HOME_DIR/config/zookeeper.properties}"
[ -r "$CONFIG" ] || { echo "cannot read $CONFIG" >&2; exit 1; }

command -v java >/dev/null || { echo "java (17 or newer) is required" >&2; exit 1; }
if ! ls "$JAR_DIR"/sluice-server-*.jar >/dev/null 2>&1 || [ ! -d "$JAR_DIR/lib" ]; then
  command -v mvn >/dev/null || { echo "Maven is required to build Sluice (apt-get install maven)" >&2; exit 1; }
  echo "Building Sluice (first run)..." >&2
  # package, not install: the jars are needed here only, not in the local Maven repository
  (cd "$HOME_DIR" && mvn -q -DskipTests -pl server -am package) >&2
fi

# The lib directory alone holds ZooKeeper and its dependencies (Netty, metrics, slf4j-simple for the log).
CP="$JAR_DIR/lib/*"
# Kafka's script gives ZooKeeper 512 MB; SLUICE_HEAP_OPTS (or KAFKA_HEAP_OPTS) replace that.
JVM_OPTS=(${SLUICE_HEAP_OPTS:-${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m}} -XX:+UseSerialGC)
COMMAND=(java "${JVM_OPTS[@]}" ${SLUICE_OPTS:-} -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONFIG")

if [ "$DAEMON" = true ]; then
  LOG_DIR="${LOG_DIR:-$HOME_DIR/logs}"
  mkdir -p "$LOG_DIR"
  nohup "${COMMAND[@]}" > "$LOG_DIR/zookeeper.out" 2>&1 < /dev/null &
  exit 0
fi
exec "${COMMAND[@]}"
