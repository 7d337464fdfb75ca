#!/usr/bin/env bash
# Runs every test: unit tests of each module and the compatibility tests against real brokers.
# Installs what the compatibility tests need (kcat, python3-kafka, python3-confluent-kafka) if missing.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HOME_DIR"

"$HOME_DIR/bin/install-test-deps.sh"
exec mvn -B ${MAVEN_ARGS:-} install "$@"
