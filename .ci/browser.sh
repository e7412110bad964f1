#!/usr/bin/env bash
# Installs what the real-browser test (tests/serve_browser.rs) drives: Debian's headless
# Chromium and its WebDriver server. Called by .ci/run; does nothing when both are present.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
chromedriver --version
