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

step() { printf '\n=== %s ===\n' "$1"; }

step "prisma generate (${DATABASE_URL:-sqlite default})"
npx prisma generate >/dev/null
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
step "browser tests (Playwright, Chromium)"
npx playwright test
