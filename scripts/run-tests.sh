#!/usr/bin/env bash
# Runs every test: the gateway package's tests, then the example plugins' own tests. The example plugins are
# separate packages; the gateway's tests build and load them, and their own tests exercise the test kit. All
# tests use Swift Testing, so the XCTest runner, which would only report "Executed 0 tests", is turned off.
set -euo pipefail
cd "$(dirname "$0")/.."

swift test --disable-xctest
for example in plugins/examples/*/; do
    swift test --disable-xctest --package-path "$example" --scratch-path .build/plugin-tests
done
