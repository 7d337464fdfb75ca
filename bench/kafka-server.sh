#!/usr/bin/env bash
# Starts Apache Kafka 4.3 (the reference) single-node in KRaft mode, in the foreground.
#   bench/kafka-server.sh <data dir> <port>
# Kafka's jars come from Maven Central through bench/pom.xml.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="$1"; PORT="$2"; CPORT=$((PORT + 1))
CP="$("$BENCH/classpath.sh")"
mkdir -p "$DIR"
cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
cat > "$DIR/log4j2.yaml" <<'LOG'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
      - name: kafka.server.BrokerServer
        level: INFO
LOG
if [ ! -f "$DIR/logs/meta.properties" ]; then
  java -cp "$CP" -Dlog4j2.configurationFile="$DIR/log4j2.yaml" kafka.tools.StorageTool format --standalone \
    -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid)" -c "$DIR/server.properties" >/dev/null
fi
[ "${3:-}" = "--format-only" ] && exit 0
exec java ${KAFKA_HEAP_OPTS:--Xmx1g -Xms1g} -XX:+UseG1GC -cp "$CP" -Dlog4j2.configurationFile="$DIR/log4j2.yaml" \
  kafka.Kafka "$DIR/server.properties"
