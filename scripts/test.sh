#!/usr/bin/env bash
# npm test: type-check, lint, unit tests, build, integration tests (real database, real HTTP),
# then the Playwright suite in Chromium. DATABASE_URL=postgresql://… runs everything on PostgreSQL
# (each test file creates its own database on that server).
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "No Chromium at $CHROMIUM. Install Debian's: apt-get update && apt-get install -y chromium" >&2
  echo "(or set CHROMIUM_PATH to a Chromium binary). The browser tests are part of npm test." >&2
  exit 1
fi

# Each step says when it started, so a slow CI run shows where its time went.
step() { printf '\n=== %s (at %ss) ===\n' "$1" "$SECONDS"; }

step "prisma generate (both clients: one install serves SQLite and PostgreSQL)"
npm run --silent generate >/dev/null
step "type-check"
npx tsc --noEmit
step "lint"
npx eslint --max-warnings=0 .
step "unit tests"
npx vitest run --project unit
step "build"
npm run build >/dev/null
step "integration tests"
npx vitest run --project integration
step "integration tests that load the machine (chaos, benchmark smoke), one at a time"
npx vitest run --project integration-solo
step "browser tests (Playwright, Chromium)"
npx playwright test
step "done"
