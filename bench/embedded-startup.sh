#!/usr/bin/env bash
# Start to first acknowledged produce, in-process: Sluice's EmbeddedSluice next to Apache Kafka 4.3's
# KafkaClusterTestKit (what spring-kafka-test's EmbeddedKafkaKraftBroker runs), a fresh JVM per measurement,
# interleaved Sluice, Kafka, Sluice, ... Prints each figure, the medians and the ratio.
# Usage: bench/embedded-startup.sh [rounds]   (after `mvn install` of Sluice; default 7 rounds)
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROUNDS="${1:-7}"
cd "$HOME_DIR/embedded"
mvn -B -q package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="target/classes:$(cat target/classpath.txt)"
sluice=()
kafka=()
for round in $(seq 1 "$ROUNDS"); do
  s=$(java -Xmx1g -cp "$CP" io.sluice.bench.embedded.StartupToFirstAck sluice 2>/dev/null | tail -1)
  k=$(java -Xmx1g -cp "$CP" io.sluice.bench.embedded.StartupToFirstAck kafka 2>/dev/null | tail -1)
  echo "round $round: sluice ${s} ms, kafka ${k} ms"
  sluice+=("$s")
  kafka+=("$k")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms=$(median "${sluice[@]}")
mk=$(median "${kafka[@]}")
echo "median: sluice ${ms} ms, kafka ${mk} ms, ratio $(awk -v s="$ms" -v k="$mk" 'BEGIN {printf "%.2f", s/k}')x"
