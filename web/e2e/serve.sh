#!/bin/sh
# Starts the OneRetail server for the browser tests: a fresh demo database,
# the console and the API on 127.0.0.1:18080. Playwright runs it from web/
# (see playwright.config.ts); the binary is the one `make build` puts in
# ../bin, built with the console embedded. Set ONERETAIL_E2E_DB to choose the
# database (a path or a postgres:// DSN), or ONERETAIL_BIN for another binary.
set -eu

cd "$(dirname "$0")/.."

bin="${ONERETAIL_BIN:-../bin/oneretail}"
if [ ! -x "$bin" ]; then
  echo "e2e/serve.sh: $bin is missing; run 'make build' (it embeds the console) first" >&2
  exit 1
fi

if [ -z "${ONERETAIL_E2E_DB:-}" ]; then
  # A new directory per run under e2e/.data (ignored by git). The server is
  # exec'd, so nothing is left to clean up afterwards: the next run removes
  # what this one left.
  rm -rf e2e/.data
  mkdir -p e2e/.data
  dir="$(mktemp -d "$PWD/e2e/.data/run.XXXXXX")"
  ONERETAIL_E2E_DB="$dir/oneretail.db"
fi
export ONERETAIL_E2E_DB

exec "$bin" serve --addr 127.0.0.1:18080 --db "$ONERETAIL_E2E_DB" --demo small --demo-orders 300 --admin-password e2e-admin-pass --log-level warn
