#!/usr/bin/env bash
# Runs before `npm test` (the `pretest` script). The tests need two programs npm cannot install:
# Debian's Chromium, which playwright-core drives in the e2e tests (test/e2e/support/browser.ts), and
# redis-server, which the Redis tests start on a free port of their own (test/support/redis-server.ts).
# Without them the suite would fail minutes in; this installs them through apt when it can, or stops at
# once with the command to run. When both are there it only looks, so it costs nothing.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ] && [ ! -x "$CHROMIUM_PATH" ]; then
  # The e2e tests use CHROMIUM_PATH instead of /usr/bin/chromium; apt cannot fix a wrong path.
  echo "test prerequisites: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable. Fix it, or unset it to use Debian's /usr/bin/chromium." >&2
  exit 1
fi

find_missing() {
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
}

find_missing
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: missing ${missing[*]}. Install with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "test prerequisites: missing ${missing[*]}; installing with apt-get (running as root)"
echo "+ apt-get update"
apt-get update -qq
echo "+ apt-get install -y ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null

# Say so now if apt did not provide them after all, rather than in the middle of the suite.
find_missing
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test prerequisites: still missing after apt-get install: ${missing[*]}" >&2
  exit 1
fi
echo "test prerequisites: installed"
