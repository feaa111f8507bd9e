#!/usr/bin/env python3
"""How long a failed `pkgm login` takes for an unknown user, a wrong password and a locked
account, for an account at the default argon2 cost and one at a dearer cost: they should be
indistinguishable.

    pip install argon2-cffi                     # makes the dearer hash
    bench/login_timing.py                       # release build, 5 runs of each case
    PKGM=target/debug/pkgm RUNS=9 bench/login_timing.py

Applies a two-user manifest (unsigned, in a temporary folder) and times each case from the
outside. The wrong-password cases run 4 times so that the accounts are not locked yet; the
5th failure locks them, and the locked cases run after.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKGM = os.environ.get("PKGM", str(ROOT / "target" / "release" / "pkgm"))
RUNS = int(os.environ.get("RUNS", "5"))
PASSWORD = "correct-horse-1"
# A dearer cost than pkgm's default (m=19 MiB, t=2), still within its bounds.
HEAVY = {"memory_cost": 131072, "time_cost": 3, "parallelism": 1}


def heavy_hash(password):
    try:
        from argon2 import PasswordHasher, Type
    except ImportError:
        sys.exit("bench/login_timing.py needs argon2-cffi for the dearer hash: pip install argon2-cffi")
    return PasswordHasher(type=Type.ID, hash_len=32, salt_len=16, **HEAVY).hash(password)


def pkgm(env, *args, stdin=""):
    return subprocess.run(
        [PKGM, *args], input=stdin, capture_output=True, text=True, env=env
    )


def main():
    if not os.access(PKGM, os.X_OK):
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "--manifest-path", str(ROOT / "Cargo.toml")],
            check=True,
        )
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, PKGM_STATE=f"{work}/state.db", XDG_CONFIG_HOME=f"{work}/config")
        digest = pkgm(env, "hash-password", "--password-stdin", stdin=PASSWORD + "\n")
        manifest = Path(work) / "manifest.yaml"
        manifest.write_text(
            "apiVersion: pkgm/v1\nkind: Manifest\n"
            "metadata: { name: logintiming, revision: 1 }\n"
            f"environment: {{ python: {sys.executable} }}\npackages: {{}}\n"
            "users:\n"
            f'  alice: {{ email: alice@example.com, role: admin, password_hash: "{digest.stdout.strip()}" }}\n'
            f'  hugo: {{ email: hugo@example.com, role: viewer, password_hash: "{heavy_hash(PASSWORD)}" }}\n'
        )
        applied = pkgm(env, "apply", str(manifest), "--allow-unsigned", "--allow-unsigned-users", "--yes", "-q")
        if applied.returncode != 0:
            sys.exit(applied.stderr)
        cases = [
            ("unknown user", "zed", "x" * 12, RUNS),
            ("wrong password", "alice", "wrong-password", 4),
            ("wrong password, dear", "hugo", "wrong-password", 4),
            ("locked account", "alice", "wrong-password", RUNS),
            ("locked account, dear", "hugo", "wrong-password", RUNS),
            ("locked, right password", "alice", PASSWORD, RUNS),
        ]
        medians = []
        for label, user, password, runs in cases:
            times, messages = [], set()
            for _ in range(runs):
                started = time.perf_counter()
                run = pkgm(env, "login", "--user", user, "--password-stdin", stdin=password + "\n")
                times.append((time.perf_counter() - started) * 1000)
                messages.add((run.returncode, run.stderr))
            print(
                f"{label:24} median {statistics.median(times):6.1f} ms"
                f"  ({', '.join(f'{t:.0f}' for t in times)})"
                f"  distinct outputs: {len(messages)}"
            )
            print(f"{'':24} exit {run.returncode}: {run.stderr.splitlines()[0]}")
            medians.append(statistics.median(times))
        spread = max(medians) - min(medians)
        print(f"spread of the medians: {spread:.1f} ms ({100 * spread / max(medians):.1f}% of the slowest)")


if __name__ == "__main__":
    main()
