#!/usr/bin/env bash
# Installs the Debian packages the compatibility tests drive Sluice with: kcat (librdkafka),
# python3-confluent-kafka (librdkafka) and python3-kafka (kafka-python). Fails naming what is missing
# when they cannot be installed.
set -euo pipefail
need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || need+=(python3-kafka)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing test dependencies: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo" || {
    echo "Missing test dependencies: ${need[*]}. Install them with: apt-get install ${need[*]}" >&2; exit 1; }
fi
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"; } >&2; then
  echo "Could not install test dependencies: ${need[*]}. Install them with: apt-get install ${need[*]}" >&2
  exit 1
fi
