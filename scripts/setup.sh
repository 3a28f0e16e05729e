#!/usr/bin/env bash
# Set up the kit on a fresh machine: system tools (bubblewrap) and the pinned Python environment.
# Safe to run again: each step is skipped when already done. Called by `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv

# 1. bubblewrap, the sandbox the batch grader runs student code in.
if ! command -v bwrap >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing bubblewrap with apt-get"
    apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; }
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing bubblewrap with sudo apt-get"
    sudo apt-get install -y -q bubblewrap >/dev/null 2>&1 || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q bubblewrap >/dev/null; }
  else
    echo "setup: WARNING: bubblewrap (bwrap) is not installed and apt-get is not usable here." >&2
    echo "setup: the batch grader will run student code WITHOUT a sandbox until you install it" >&2
    echo "setup: (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap)." >&2
  fi
fi

# 1b. Chromium, the headless browser tests/test_formgrader_browser.py reads formgrader's pages with
# (grading never needs it; the test is skipped, saying so, without it, so a failed install is a warning).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing chromium with apt-get"
    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
      || echo "setup: WARNING: apt-get could not install chromium (Ubuntu ships it as a snap); the formgrader browser test will be skipped" >&2
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing chromium with sudo apt-get"
    sudo apt-get install -y -q chromium >/dev/null 2>&1 || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q chromium >/dev/null; } \
      || echo "setup: WARNING: apt-get could not install chromium (Ubuntu ships it as a snap); the formgrader browser test will be skipped" >&2
  else
    echo "setup: WARNING: chromium is not installed and apt-get is not usable here; the formgrader browser" >&2
    echo "setup: test will be skipped (Debian: sudo apt-get install chromium; Ubuntu: the chromium snap)." >&2
  fi
fi

# 2. The Python environment, every package pinned in requirements.txt.
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else "setup: Python 3.11 to 3.13 is needed (TensorFlow 2.21); set PYTHON=python3.11")'
  "$PYTHON" -m venv "$VENV"
fi
# Some machines point pip at local indexes that may be absent; their warnings are noise here.
pip_install() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }
pip_install -r requirements.txt
pip_install --no-deps --no-build-isolation -e .
"$VENV/bin/python" -m pip check
touch "$VENV/.installed"
echo "setup: ready ($("$VENV/bin/python" --version), bubblewrap: $(command -v bwrap || echo missing)," \
  "chromium: $(command -v chromium || command -v chromium-browser || echo missing))"
