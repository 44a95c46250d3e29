#!/usr/bin/env bash
# Builds the real Flux controllers fluxhelm's test/flux tests run against
# (helm-controller, source-controller, kustomize-controller) from source,
# one after the other (they share the Go build cache, and CPU is scarce),
# cached under ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/flux. Also installs the
# loopback sources the tests serve charts and manifests from: Debian's
# docker-registry (OCI) and git (git http-backend). Idempotent.
# Usage: bash .ci/flux-deps.sh   (called from .ci/run after cluster-deps.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t0=$(date +%s)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
[[ -x /usr/lib/git-core/git-http-backend ]] || missing+=(git)
if ((${#missing[@]})); then
  echo "flux-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for name in source-controller helm-controller kustomize-controller; do
  s=$(date +%s)
  bin="$(bash "$root/test/cluster/flux/build.sh" "$name" | tail -n 1)"
  echo "flux-deps: $name at $bin ($(( $(date +%s) - s ))s)"
done
echo "flux-deps: done in $(( $(date +%s) - t0 ))s"
