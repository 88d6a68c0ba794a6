#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: MariaDB for the reserver's SQL tests
# (the tests start their own throwaway server), then the locked npm dependencies.
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
