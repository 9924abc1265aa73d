#!/usr/bin/env bash
# Builds the Python environment of the cross-language tests from PyPI and
# prints the path of its python on stdout (messages go to stderr):
#
#   export SABOT_PYTHON=$(scripts/pyenv.sh)
#
# The venv lives in $SABOT_CACHE/python/<key> (default .cache/ at the
# repository root), where the key hashes scripts/pyenv-requirements.txt and
# the interpreter's version: a run with an unchanged key finds the stamp file
# of a finished build and returns at once; a changed requirements file or
# another Python builds a fresh venv beside the old ones. A build that fails
# halfway leaves no stamp, so the next run starts it again from nothing.
#
# SABOT_PYENV_PYTHON names the interpreter to build from (default python3,
# 3.10 or newer).
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
cache=${SABOT_CACHE:-$repo_root/.cache}
req=$repo_root/scripts/pyenv-requirements.txt
py=${SABOT_PYENV_PYTHON:-python3}

die() { echo "pyenv: $*" >&2; exit 1; }
say() { echo "pyenv: $*" >&2; }

command -v "$py" >/dev/null 2>&1 ||
  die "$py not found; the cross-language tests need Python 3.10 or newer (e.g. apt-get install python3 python3-venv, or set SABOT_PYENV_PYTHON)"

key=$({ cat "$req"; "$py" -VV; } | sha256sum | cut -c1-16)
venv=$cache/python/$key
stamp=$venv/.sabot-ready
if [ -f "$stamp" ]; then
  echo "$venv/bin/python"
  exit 0
fi

"$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$("$py" -V 2>&1) is too old; the pinned packages need Python 3.10 or newer (set SABOT_PYENV_PYTHON to another interpreter)"
"$py" -c 'import venv, ensurepip' 2>/dev/null ||
  die "$py cannot create a venv with pip (the venv or ensurepip module is missing; on Debian and Ubuntu: apt-get install python3-venv)"
mkdir -p "$cache/python"
# One build at a time per cache: a second run waits here and then finds the
# stamp.
exec 9>"$cache/python/.lock"
command -v flock >/dev/null 2>&1 && flock 9
if [ ! -f "$stamp" ]; then
  say "building $venv from PyPI ($("$py" -V 2>&1); scripts/pyenv-requirements.txt)"
  start=$SECONDS
  rm -rf "$venv"
  "$py" -m venv "$venv"
  log=$cache/python/$key.log
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$req" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "pip could not install scripts/pyenv-requirements.txt (log above; whole log: $log)"
  fi
  "$venv/bin/python" -c 'import confluent_kafka.schema_registry, fastavro, google.protobuf, grpc_tools.protoc, pyarrow, duckdb' ||
    die "the venv was built but its packages do not import"
  rm -f "$log"
  echo "$key" >"$stamp"
  say "built in $((SECONDS - start))s"
fi
echo "$venv/bin/python"
