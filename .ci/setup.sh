#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: MariaDB for the reserver's SQL tests
# (the tests start their own throwaway server) and openssl, moto's server for the deploy proof, then the locked npm
# dependencies, Node 22 among them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: the server, and openssl for the test CA of the reserver's TLS test.
missing=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: ${missing[*]} missing; install with: sudo apt-get install ${missing[*]}" >&2
    [ "${CI:-}" = true ] && exit 1
  fi
fi

if ! command -v terraform >/dev/null 2>&1; then
  echo "setup: terraform is not on PATH; the offline Terraform proof needs it (and a hashicorp/aws 5.100.0 mirror)" >&2
  [ "${CI:-}" = true ] && exit 1
fi

# moto's server: the AWS emulator the deploy proof and `npm run sandbox` apply the stacks to. Check that it
# starts; without it, install it into .cache/moto-venv (pip needs PyPI) or say how. Keep MOTO_VERSION in step
# with .github/workflows/pr.yml.
MOTO_VERSION=5.2.1
moto_starts() {
  python3 - <<'PY' >/dev/null 2>&1
import os, shutil, socket, subprocess, sys, time, urllib.request
venv = os.path.join(".cache", "moto-venv", "bin", "moto_server")
server = os.environ.get("MOTO_SERVER") or shutil.which("moto_server") or (venv if os.path.exists(venv) else None)
cmd = [server] if server else [sys.executable, "-m", "moto.server"]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
p = subprocess.Popen(cmd + ["-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            sys.exit(0)
        except Exception:
            time.sleep(0.1)
    sys.exit(1)
finally:
    p.kill()
PY
}
if ! moto_starts; then
  echo "setup: moto's server does not start here; installing moto[server]==$MOTO_VERSION into .cache/moto-venv" >&2
  if python3 -m venv .cache/moto-venv && .cache/moto-venv/bin/pip install --quiet "moto[server]==$MOTO_VERSION" && moto_starts; then
    echo "setup: moto installed (.cache/moto-venv/bin/moto_server, found by the tests)" >&2
  else
    echo "setup: could not install moto; install it with: python3 -m pip install 'moto[server]==$MOTO_VERSION'" >&2
    echo "       (or set MOTO_SERVER to its moto_server); the deploy proof and npm run sandbox need it" >&2
    [ "${CI:-}" = true ] && exit 1
  fi
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
