"""Fills a venv's site-packages with N synthetic distributions and prints a manifest for them.

Every other distribution is declared; each declared one requires the next (undeclared) one,
so planning walks real dependency edges. Only `*.dist-info/METADATA` is written: enough for
pkgm's planner, which reads site-packages directly.
"""
import pathlib
import subprocess
import sys

venv, count = pathlib.Path(sys.argv[1]), int(sys.argv[2])
purelib = subprocess.run(
    [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
    check=True, capture_output=True, text=True,
).stdout.strip()
site = pathlib.Path(purelib)
for index in range(count):
    name = f"synthetic-{index:04d}"
    info = site / f"synthetic_{index:04d}-1.0.{index}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    requires = f"Requires-Dist: synthetic-{index + 1:04d}>=1.0\n" if index % 2 == 0 and index + 1 < count else ""
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.{index}\n{requires}\nA synthetic distribution.\n"
    )
print("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: synthetic, revision: 1}")
print(f"environment:\n  venv: {venv}\n  prune: true\n  no_index: true\npackages:")
for index in range(0, count, 2):
    print(f'  synthetic-{index:04d}: "==1.0.{index}"')
