#!/usr/bin/env bash
# Runs every test: unit, API (H2 and PostgreSQL), manifest, observability, system and browser tests.
# PostgreSQL tests use the server at 127.0.0.1:5432 (user postgres); they are skipped when it is not
# reachable unless CI=true, which makes them mandatory. Tools the tests need are installed when missing
# and this runs as root (Debian); otherwise the tests that need them fail and say what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-env.sh

need_packages=()
command -v promtool >/dev/null 2>&1 || need_packages+=(prometheus)
# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
if [ ${#need_packages[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need_packages[*]} (apt-get) ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

# The browser tests' Node packages (playwright-core, axe-core), exactly as package-lock.json pins them;
# again only when the lock file changed since.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f browser-tests/node_modules/.package-lock.json ] \
   || [ browser-tests/package-lock.json -nt browser-tests/node_modules/.package-lock.json ]; then
    echo "Installing the browser tests' Node packages (npm ci) ..."
    (cd browser-tests && npm ci --no-audit --no-fund --loglevel=error)
fi

mvn -B verify "$@"
