#!/usr/bin/env bash
# Installs what fluxhelm's cluster tests need on a fresh Debian machine and
# builds the real kube-apiserver once (cached outside the repository):
#   - etcd (Debian etcd-server), openssl and unzip from apt; any system etcd
#     service the package would start is stopped and disabled: the tests run
#     their own etcd on free loopback ports with their own data dirs;
#   - kube-apiserver from source via the Go module proxy
#     (test/cluster/build-apiserver.sh; needs go >= 1.24, part of the image).
# Idempotent: a second run installs nothing and reuses the cached binary.
# Usage: bash .ci/cluster-deps.sh   (called from .ci/run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t0=$(date +%s)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if ((${#missing[@]})); then
  echo "cluster-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's package registers an etcd service on 2379/2380; make sure it is not
# running or enabled (harmless if it never started, e.g. under policy-rc.d).
if [[ -e /lib/systemd/system/etcd.service || -e /etc/init.d/etcd ]]; then
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    "${sudo_cmd[@]}" systemctl disable --now etcd >/dev/null 2>&1 || true
  else
    # Only the service's own process (its pidfile), never the tests' etcd.
    if [[ -s /run/etcd.pid ]]; then "${sudo_cmd[@]}" /etc/init.d/etcd stop >/dev/null 2>&1 || true; fi
    command -v update-rc.d >/dev/null 2>&1 && { "${sudo_cmd[@]}" update-rc.d etcd disable >/dev/null 2>&1 || true; }
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  echo "cluster-deps: go is not installed (the machine image provides go >= 1.24 in /usr/local/go)" >&2
  exit 1
fi

apiserver="$(bash "$root/test/cluster/build-apiserver.sh" | tail -n 1)"
echo "cluster-deps: etcd $(etcd --version | awk 'NR==1{print $3}'), $("$apiserver" --version) at $apiserver"
echo "cluster-deps: done in $(( $(date +%s) - t0 ))s"
