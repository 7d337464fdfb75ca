#!/usr/bin/env bash
# Prints the classpath of Apache Kafka 4.3 and its tools, resolving it from Maven Central once.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$BENCH/target/kafka.classpath"
if [ ! -s "$OUT" ]; then
  mkdir -p "$BENCH/target"
  (cd "$BENCH" && mvn -q dependency:build-classpath -Dmdep.outputFile="$OUT") >&2
fi
cat "$OUT"
