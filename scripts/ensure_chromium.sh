#!/usr/bin/env bash
# Make sure the Chromium used by the browser tests (tests/e2e) is installed.
#
# Idempotent: when /usr/bin/chromium is already there it only prints its version. Otherwise, as
# root, it installs Debian's `chromium` package; as any other user it says what to install.
# Playwright's own browser download (`playwright install`) is not used: it needs the network.
# Exits non-zero when the browser is still missing afterwards.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "ensure_chromium: $CHROMIUM missing; installing Debian's chromium package..." >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "ensure_chromium: $CHROMIUM is missing and this is not root, so it cannot be installed here." >&2
        echo "ensure_chromium: install it with: sudo apt-get install --no-install-recommends chromium" >&2
        exit 1
    fi
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: $CHROMIUM is still missing after installing the chromium package." >&2
    exit 1
fi

# Debian's launcher script warns on stderr on some machines (its /dev/shm size check); not ours.
if ! "$CHROMIUM" --version 2>/dev/null; then
    echo "ensure_chromium: $CHROMIUM is installed but does not start (try: $CHROMIUM --version)." >&2
    exit 1
fi
