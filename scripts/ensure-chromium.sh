#!/usr/bin/env bash
# Debian's Chromium for the browser tests (driven by playwright-core with executablePath /usr/bin/chromium).
# Never `npx playwright install`: no browser download site is reachable here.
set -euo pipefail
verify() {
  local version
  if ! version="$(chromium --version 2>/dev/null | head -n1)" || [ -z "$version" ]; then
    echo "chromium: /usr/bin/chromium is there but \`chromium --version\` fails" >&2
    exit 1
  fi
  echo "$version"
}
if [ -x /usr/bin/chromium ]; then verify; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "chromium: /usr/bin/chromium is missing; install it with: sudo apt-get install -y chromium" >&2; exit 1; fi
echo "chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for the dpkg/apt locks (another run may be installing at the same time) instead of failing at once.
lock=(-o DPkg::Lock::Timeout=600)
apt-get "${lock[@]}" update -qq </dev/null >&2
apt-get "${lock[@]}" install -y -qq chromium </dev/null >&2
verify
