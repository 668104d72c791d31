#!/usr/bin/env bash
# Quickstart: installs the dependencies, builds libdyncreds and runs the
# example that signs an AWS request with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
cmake --preset release >/dev/null
cmake --build --preset release
build/release/examples/dyncreds_sign_request
