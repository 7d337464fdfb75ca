#!/usr/bin/env bash
# Prints the classpath of Apache Kafka 4.3, its tools and our own harnesses (bench/src/main/java),
# resolving Kafka from Maven Central once and compiling the harnesses when their sources change.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$BENCH/target/kafka.classpath"
STAMP="$BENCH/target/classes/.built"
if [ ! -s "$OUT" ] || [ "$BENCH/pom.xml" -nt "$OUT" ]; then
  mkdir -p "$BENCH/target"
  (cd "$BENCH" && mvn -q dependency:build-classpath -Dmdep.outputFile="$OUT") >&2
fi
if [ ! -f "$STAMP" ] || [ "$BENCH/pom.xml" -nt "$STAMP" ] \
    || [ -n "$(find "$BENCH/src" -newer "$STAMP" -print -quit)" ]; then
  (cd "$BENCH" && mvn -q compile) >&2
  touch "$STAMP"
fi
echo "$BENCH/target/classes:$(cat "$OUT")"
