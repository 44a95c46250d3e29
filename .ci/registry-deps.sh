#!/usr/bin/env bash
# Installs what the chart-source tests (test/sources) need on a fresh Debian
# machine:
#   - docker-registry: the CNCF distribution registry (/usr/bin/docker-registry),
#     started by the OCI tests on 127.0.0.1 with a generated config;
#   - apache2-utils: `htpasswd -B` writes the bcrypt htpasswd file for the
#     registry's basic-auth test;
#   - openssl: self-signed certificates for the TLS and token-auth tests.
# The Debian package starts a system service on port 5000 when installed; the
# tests never use it, so it is stopped and disabled where systemd runs.
# Idempotent: packages already installed are skipped.
# Usage: bash .ci/registry-deps.sh
set -euo pipefail

log() { echo "registry-deps: $*" >&2; }
die() { echo "registry-deps: ERROR: $*" >&2; exit 1; }

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

pkgs=(docker-registry apache2-utils openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d exit 101 keeps the package's service from starting during install.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod +x "$policy"
    made_policy=1
  fi
  status=0
  { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; } || status=$?
  if ((made_policy)); then "${sudo_cmd[@]}" rm -f "$policy"; fi
  ((status == 0)) || die "apt-get install ${missing[*]} failed"
fi

[[ -x /usr/bin/docker-registry ]] || die "/usr/bin/docker-registry missing after installing docker-registry"
command -v htpasswd >/dev/null || die "htpasswd missing after installing apache2-utils"
command -v openssl >/dev/null || die "openssl missing after installing openssl"
log "docker-registry $(/usr/bin/docker-registry --version 2>/dev/null | awk '{print $3}'), htpasswd ready"
