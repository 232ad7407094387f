#!/usr/bin/env bash
# Set up everything gradviz needs (once), then run a job:
#   ./run.sh gallery   build gallery/ from every built-in example (the main job)
#   ./run.sh test      run the whole test suite
#   ./run.sh bench     print the benchmark table
#   ./run.sh setup     only install
# Re-running is fast: apt packages, the .venv and the pip install are each done once.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(python3 python3-venv python3-dev build-essential pkg-config
              graphviz libcairo2-dev libpango1.0-dev ffmpeg fonts-dejavu-core
              texlive-latex-base chromium chromium-driver)
VENV=.venv
STAMP="$VENV/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_system() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # a Python from elsewhere (pyenv, a container image) is fine when it has venv
  if [ ${#missing[@]} -gt 0 ] && command -v python3 >/dev/null && python3 -m venv --help >/dev/null 2>&1; then
    local still=()
    for p in "${missing[@]}"; do case "$p" in python3|python3-venv|python3-dev) ;; *) still+=("$p");; esac; done
    missing=("${still[@]+"${still[@]}"}")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$STAMP" ]; then
    echo "==> pip install -e .[all]"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    # this project installs as gradviz-teach; a distribution called gradviz (its old name,
    # or the unrelated project of that name on the index) would shadow `import gradviz`
    "$VENV/bin/python" -m pip uninstall -q -y gradviz >/dev/null 2>&1 || true
    "$VENV/bin/python" -m pip install -q -e ".[all]"
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
  fi
}

job="${1:-gallery}"
shift || true
install_system
install_python
export PATH="$PWD/$VENV/bin:$PATH"
case "$job" in
  setup)   echo "gradviz is set up: $VENV/bin/gradviz" ;;
  gallery) exec gradviz gallery "$@" ;;
  test)    exec python -m pytest "$@" ;;
  bench)   exec python benchmarks/run.py "$@" ;;
  *)       echo "usage: ./run.sh gallery|test|bench|setup" >&2; exit 2 ;;
esac
