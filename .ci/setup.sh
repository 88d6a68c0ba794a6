#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: MariaDB for the reserver's SQL tests
# (the tests start their own throwaway server), then the locked npm dependencies, Node 22 among them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mariadbd >/dev/null 2>&1 && ! [ -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
  else
    echo "setup: mariadb-server is missing; install it with: sudo apt-get install mariadb-server" >&2
    [ "${CI:-}" = true ] && exit 1
  fi
fi

if ! command -v terraform >/dev/null 2>&1; then
  echo "setup: terraform is not on PATH; the offline Terraform proof needs it (and a hashicorp/aws 5.100.0 mirror)" >&2
  [ "${CI:-}" = true ] && exit 1
fi

# The lock holds every platform's packages, so `npm ci` installs exactly it and never rewrites it; package.json's
# allowScripts decides which install scripts run (the README's set-up section says why).
npm ci --no-audit --no-fund

# npm scripts and npx put node_modules/.bin first on PATH, where `node` is the Node that package.json's
# optionalDependencies install for this platform: the tests, the build and cdktf all run on it.
wanted=$(node -p "require('./package.json').engines.node")
actual=$(npm exec --offline -c 'node -p process.versions.node')
if [[ "$actual" != "${wanted%x}"* ]]; then
  echo "setup: npm scripts would run Node $actual, not $wanted (engines.node in package.json): no node-* package" \
    "of optionalDependencies fits this platform; install Node $wanted and run setup again" >&2
  exit 1
fi
echo "setup: npm scripts run Node $actual"
