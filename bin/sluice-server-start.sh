#!/usr/bin/env bash
# Starts one Sluice broker, like Kafka's kafka-server-start.sh.
#   bin/sluice-server-start.sh [server.properties] [--override key=value ...]
#   bin/sluice-server-start.sh --version
# Builds the project first if it is not built yet. With no properties file it uses
# config/server.properties: 127.0.0.1:9092, embedded ZooKeeper, data in ./data.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR_DIR="$HOME_DIR/server/target"

command -v java >/dev/null || { echo "java (17 or newer) is required" >&2; exit 1; }
if ! ls "$JAR_DIR"/sluice-server-*.jar >/dev/null 2>&1 || [ ! -d "$JAR_DIR/lib" ]; then
  command -v mvn >/dev/null || { echo "Maven is required to build Sluice (apt-get install maven)" >&2; exit 1; }
  echo "Building Sluice (first run)..." >&2
  (cd "$HOME_DIR" && mvn -q -DskipTests install) >&2
fi

ARGS=("$@")
has_file=false
for a in "$@"; do
  case "$a" in
    --version|-version) has_file=true ;;
    --override) ;;
    -*) ;;
    *=*) ;;
    *) has_file=true ;;
  esac
done
if [ "$has_file" = false ]; then
  ARGS=("$HOME_DIR/config/server.properties" "${ARGS[@]}")
fi

JAR="$(ls "$JAR_DIR"/sluice-server-*.jar | grep -v -e sources -e tests | head -1)"
CP="$JAR:$JAR_DIR/lib/*"
# C2 compiles a method after 10x the default invocations: at startup it would otherwise spend a third of
# the CPU (on two cores, the time to ready) optimising code that runs only while starting; the request
# path passes the raised thresholds within a second of load.
JIT_OPTS=(-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000
  -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000)
# Serial GC unless SLUICE_OPTS chooses a collector (the JVM refuses two).
GC_OPTS=(-XX:+UseSerialGC)
[[ "${SLUICE_OPTS:-}" =~ -XX:\+Use[A-Za-z]+GC ]] && GC_OPTS=()
JVM_OPTS=(${SLUICE_HEAP_OPTS:--Xms64m -Xmx1g} "${GC_OPTS[@]}" "${JIT_OPTS[@]}")

# Class data sharing: after each build, one training run (a broker on throw-away dirs that produces
# and fetches a record) writes an archive of the classes a broker loads; later starts map it instead
# of loading them one by one, which is most of the startup time. SLUICE_CDS=false turns it off.
CDS="$JAR_DIR/sluice.jsa"
if [ "${SLUICE_CDS:-true}" = true ] && [ "${1:-}" != --version ]; then
  if [ ! -f "$CDS" ] || [ "$CDS" -ot "$JAR" ]; then
    rm -f "$CDS"
    java "${JVM_OPTS[@]}" -XX:ArchiveClassesAtExit="$CDS" -Xlog:cds=off -Xlog:cds+dynamic=off \
      -cp "$CP" io.sluice.server.SluiceServer --startup-training >/dev/null 2>&1 || rm -f "$CDS"
  fi
  [ -f "$CDS" ] && JVM_OPTS+=(-XX:SharedArchiveFile="$CDS" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

# Remote JMX as kafka-run-class.sh enables it: JMX_PORT opens the port (and the RMI port, unless the options
# name one), without authentication or TLS unless SLUICE_JMX_OPTS (or Kafka's KAFKA_JMX_OPTS) says otherwise.
JMX_OPTS="${SLUICE_JMX_OPTS:-${KAFKA_JMX_OPTS:-}}"
if [ -n "${JMX_PORT:-}" ]; then
  [ -z "$JMX_OPTS" ] && JMX_OPTS="-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"
  JMX_OPTS="$JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  case "$JMX_OPTS" in
    *-Dcom.sun.management.jmxremote.rmi.port=*) ;;
    *) JMX_OPTS="$JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT" ;;
  esac
fi

exec java "${JVM_OPTS[@]}" ${JMX_OPTS} ${SLUICE_OPTS:-} -cp "$CP" io.sluice.server.SluiceServer "${ARGS[@]}"
