#!/usr/bin/env bash
# The browser tests (tests/browser/) drive Debian's chromium package: Playwright cannot
# download a browser build here. Install it when it is missing and we are allowed to;
# otherwise say how, and let the browser tests fail with the same advice.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests (apt-get install -y chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
    exit 0
fi
echo "chromium is not installed: the browser tests will fail." >&2
echo "Install it with: sudo apt-get install -y chromium" >&2
