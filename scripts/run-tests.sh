#!/usr/bin/env bash
# Runs every test: the gateway package's tests, then the example plugins' own tests. The example plugins are
# separate packages; the gateway's tests build and load them, and their own tests exercise the test kit.
set -euo pipefail
cd "$(dirname "$0")/.."

swift test
for example in plugins/examples/*/; do
    swift test --package-path "$example" --scratch-path .build/plugin-tests
done
