#!/usr/bin/env bash
# Benchmarks pkgm against pip, pip-sync and uv in the same hyperfine runs.
#
#   bench/run.sh              # everything; results in bench/results/
#   bench/run.sh --recompile  # re-pin requirements.txt from requirements.in first
#
# Needs network once, to download the wheels into bench/work/wheels; every timed command
# then runs offline from that folder. Needs hyperfine (INSTALL_TOOLS=1 lets it install it from Debian's packages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work="$here/work"
results="$here/results"
mkdir -p "$work" "$results"

if ! command -v hyperfine >/dev/null; then
  if [[ "${INSTALL_TOOLS:-}" == 1 ]]; then
    apt-get update -qq && apt-get install -y -qq hyperfine
  else
    echo "bench/run.sh needs hyperfine: install it (apt-get install hyperfine), or rerun with INSTALL_TOOLS=1 to let this script do it" >&2
    exit 1
  fi
fi

# The same conditions for every tool: no installer variables or config files from this
# machine (pkgm removes them for its own installer calls; the bare commands must match),
# and the real interpreter rather than a version-manager shim.
for variable in $(env | grep -oE '^(PIP|UV)_[A-Z0-9_]+' || true); do unset "$variable"; done
export PIP_CONFIG_FILE=/dev/null UV_NO_CONFIG=1
python=$(python3 -c 'import sys; print(sys.executable)')
export PKGM_PYTHON="$python"

echo "== building pkgm (release)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pkgm="$root/target/release/pkgm"

echo "== tools venv (uv, pip-tools): real binaries, not shims"
if [[ ! -x "$work/tools/bin/pip-sync" ]]; then
  "$python" -m venv "$work/tools"
  "$work/tools/bin/python" -m pip install --quiet --disable-pip-version-check uv pip-tools
fi
uv="$work/tools/bin/uv"
pip_sync="$work/tools/bin/pip-sync"
# pkgm finds uv on PATH: make it the same binary the bare commands use, not a shim.
export PATH="$work/tools/bin:$PATH"

if [[ "${1:-}" == "--recompile" ]]; then
  "$uv" pip compile "$here/requirements.in" -o "$here/requirements.txt" --python-version 3.11 -q
  sed -i '1,2c # Pinned from requirements.in for Python 3.11 (uv pip compile); regenerate with `bench/run.sh --recompile`.' "$here/requirements.txt"
fi

echo "== wheels (downloaded once)"
if [[ ! -f "$work/wheels/.complete" ]]; then
  "$work/tools/bin/python" -m pip download --quiet --disable-pip-version-check \
    --only-binary=:all: --no-deps -r "$here/requirements.txt" -d "$work/wheels"
  touch "$work/wheels/.complete"
fi
count=$(grep -c '==' "$here/requirements.txt")
echo "   $count distributions"

# The manifest declares every pinned distribution, installs offline and prunes.
write_manifest() { # $1 = file, $2 = venv, $3 = installer
  {
    printf 'apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: bench, revision: 1}\n'
    printf 'environment:\n  venv: %s\n  installer: %s\n  no_index: true\n' "$2" "$3"
    printf '  find_links: [%s]\n  prune: true\npackages:\n' "$work/wheels"
    grep '==' "$here/requirements.txt" | sed -E 's/^([^=]+)==([^ ]+).*/  \1: "==\2"/'
  } > "$1"
}

cd "$work"
state="$work/state.db"
export PKGM_STATE="$state"

echo "== a signing key for the benchmark manifests (signature checks are part of every plan)"
if [[ ! -f "$work/bench.key" ]]; then
  "$pkgm" keygen --out "$work/bench.key" | sed -n '/^\[\[key\]\]/,$p' > "$work/trust.toml"
fi
export PKGM_TRUST="$work/trust.toml"
sign() { "$pkgm" sign "$1" --key "$work/bench.key" --expires 1d >/dev/null; }

echo "== no-op: plan against an environment that already matches"
write_manifest "$work/noop.yaml" "$work/noop-venv" pip
sign "$work/noop.yaml"
if [[ ! -x "$work/noop-venv/bin/python" ]]; then
  "$pkgm" apply "$work/noop.yaml" --yes -q
fi
"$pkgm" plan "$work/noop.yaml" --detailed-exitcode -q >/dev/null
py="$work/noop-venv/bin/python"
hyperfine --warmup 3 --min-runs 20 -N \
  --export-markdown "$results/noop.md" --export-json "$results/noop.json" \
  -n "pkgm plan" "$pkgm plan $work/noop.yaml -q" \
  -n "uv pip sync --dry-run" "$uv pip sync --dry-run --offline --no-index --find-links $work/wheels --python $py $here/requirements.txt" \
  -n "pip-sync --dry-run" "$pip_sync --dry-run --python-executable $py --no-index --find-links $work/wheels $here/requirements.txt" \
  -n "pip list" "$py -m pip list --disable-pip-version-check"

echo "== scaling: plan over synthetic site-packages of 100, 300 and 1000 distributions"
for n in 100 300 1000; do
  venv="$work/synthetic-$n"
  if [[ ! -f "$venv/.complete" ]]; then
    rm -rf "$venv"
    "$python" -m venv --without-pip "$venv"
    python3 "$here/synthetic.py" "$venv" "$n" > "$work/synthetic-$n.yaml"
    touch "$venv/.complete"
  fi
  sign "$work/synthetic-$n.yaml"
done
hyperfine --warmup 3 --min-runs 20 -N \
  --export-markdown "$results/scaling.md" --export-json "$results/scaling.json" \
  -n "100" "$pkgm plan $work/synthetic-100.yaml -q" \
  -n "300" "$pkgm plan $work/synthetic-300.yaml -q" \
  -n "1000" "$pkgm plan $work/synthetic-1000.yaml -q"

echo "== fresh apply: empty folder to a full environment, against the bare installers"
write_manifest "$work/fresh-pip.yaml" "$work/fresh-venv" pip
write_manifest "$work/fresh-uv.yaml" "$work/fresh-venv" uv
sign "$work/fresh-pip.yaml"
sign "$work/fresh-uv.yaml"
# Warm uv's cache once so both uv runs install from it alike.
"$uv" pip install --quiet --offline --no-index --find-links "$work/wheels" \
  --python "$py" -r "$here/requirements.txt"
hyperfine --warmup 1 --runs "${FRESH_RUNS:-5}" \
  --prepare "rm -rf $work/fresh-venv $state $state-wal $state-shm" \
  --export-markdown "$results/fresh.md" --export-json "$results/fresh.json" \
  -n "pkgm apply (pip)" "$pkgm apply $work/fresh-pip.yaml --yes -q" \
  -n "venv + pip install -r" "$python -m venv $work/fresh-venv && $work/fresh-venv/bin/python -m pip install --quiet --disable-pip-version-check --no-index --find-links $work/wheels -r $here/requirements.txt" \
  -n "pkgm apply (uv)" "$pkgm apply $work/fresh-uv.yaml --yes -q" \
  -n "venv + uv pip install" "$python -m venv --without-pip $work/fresh-venv && $uv pip install --quiet --offline --no-index --find-links $work/wheels --python $work/fresh-venv/bin/python -r $here/requirements.txt"

python3 "$here/summarise.py" "$results"
