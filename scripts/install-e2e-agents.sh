#!/usr/bin/env bash
# Installs the real coding agents used by the end-to-end tests (test/e2e/agents/package.json,
# pinned exact versions, committed lockfile) into test/e2e/agents/node_modules (~1 GB).
# These are never part of what users install.
#
# Idempotent: skips the install when node_modules already matches the lockfile (a stamp holding
# the lockfile's hash). Pass --force to reinstall anyway.
# Install scripts are skipped (--ignore-scripts): none of the agents needs one (Claude Code's only
# copies its platform binary over a stub; test/e2e/support/agents.ts runs the platform binaries
# directly), and skipping them guarantees nothing is fetched from outside the npm registry.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/test/e2e/agents"
stamp="$dir/node_modules/.headroom-e2e-installed"

lock_hash() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$dir/package-lock.json" | cut -d' ' -f1
  else
    shasum -a 256 "$dir/package-lock.json" | cut -d' ' -f1
  fi
}

want="$(lock_hash)"
if [[ "${1:-}" != "--force" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error \
  --engine-strict=false >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-e2e-agents: npm ci failed" >&2
  exit 1
fi
printf '%s\n' "$want" >"$stamp"
