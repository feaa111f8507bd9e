#!/usr/bin/env python3
"""pkgm's own share of a fresh apply, measured inside each run rather than against a
separate run of the bare installer (which a shared machine makes noisy).

    bench/overhead.py                 # after bench/run.sh (it reuses bench/work/)
    RUNS=10 bench/overhead.py

Each run applies the benchmark manifest from nothing (venv creation included) with
`-vv`, which logs how long each step that runs an external program took (`create-venv`,
`install`, `remove`). pkgm's own share is the run's wall time minus those steps: start-up,
signature check, probe, site-packages reads, planning, the journal, verification. (At
`-vv` pkgm also relays the installer's output, so the wall times are a little above those
of the `-q` runs in bench/run.sh.)
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
PKGM = HERE.parent / "target" / "release" / "pkgm"
RUNS = int(os.environ.get("RUNS", "5"))
STEP = re.compile(r"step `([a-z-]+)` took ([\d.]+) ms")


def environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PIP_CONFIG_FILE="/dev/null",
        UV_NO_CONFIG="1",
        PKGM_PYTHON=sys.executable,
        PKGM_STATE=str(WORK / "overhead-state.db"),
        PKGM_TRUST=str(WORK / "trust.toml"),
        PATH=f"{WORK / 'tools' / 'bin'}:{os.environ['PATH']}",
    )
    return env


def one_run(env, manifest, venv):
    shutil.rmtree(venv, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(env["PKGM_STATE"] + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    run = subprocess.run(
        [str(PKGM), "apply", str(manifest), "--yes", "-vv"],
        capture_output=True, text=True, env=env, cwd=WORK,
    )
    wall = (time.perf_counter() - started) * 1000
    if run.returncode != 0:
        sys.exit(f"pkgm apply failed:\n{run.stderr}")
    external = sum(float(ms) for _, ms in STEP.findall(run.stderr))
    return wall, external


def main():
    needed = [PKGM, WORK / "wheels" / ".complete", WORK / "bench.key", WORK / "fresh-uv.yaml"]
    if not all(path.exists() for path in needed):
        sys.exit("run bench/run.sh first: this reuses its wheels, key and manifests")
    env = environment()
    print(f"{'installer':10} {'runs':>4} {'wall':>10} {'venv+installer':>15} {'pkgm itself':>12} {'share':>6}")
    for installer in ("uv", "pip"):
        manifest = WORK / f"fresh-{installer}.yaml"
        subprocess.run(
            [str(PKGM), "sign", str(manifest), "--key", str(WORK / "bench.key"), "--expires", "1d"],
            check=True, capture_output=True, env=env,
        )
        runs = [one_run(env, manifest, WORK / "fresh-venv") for _ in range(RUNS)]
        walls = [wall for wall, _ in runs]
        own = [wall - external for wall, external in runs]
        print(
            f"{installer:10} {RUNS:>4} {statistics.median(walls):>8.0f}ms"
            f" {statistics.median(w - o for w, o in zip(walls, own)):>13.0f}ms"
            f" {statistics.median(own):>10.0f}ms"
            f" {statistics.median(o / w * 100 for w, o in zip(walls, own)):>5.1f}%"
        )


if __name__ == "__main__":
    main()
