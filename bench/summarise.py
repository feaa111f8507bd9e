"""Prints the benchmark ratios (from hyperfine's JSON exports) as a Markdown table."""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1])


def means(name):
    data = json.loads((results / f"{name}.json").read_text())
    return {run["command"]: run for run in data["results"]}


def fmt(run):
    return f"{run['mean'] * 1000:.1f} ms ± {run['stddev'] * 1000:.1f}"


noop = means("noop")
pkgm = noop["pkgm plan"]
print("| no-op (92 installed, all declared) | mean | pkgm is faster by |")
print("|---|---|---|")
for command, run in noop.items():
    ratio = "—" if command == "pkgm plan" else f"{run['mean'] / pkgm['mean']:.1f}×"
    print(f"| `{command}` | {fmt(run)} | {ratio} |")

scaling = means("scaling")
print("\n| `pkgm plan` over N distributions | mean | per distribution |")
print("|---|---|---|")
for command, run in scaling.items():
    print(f"| {command} | {fmt(run)} | {run['mean'] * 1e6 / int(command):.1f} µs |")

fresh = means("fresh")
print("\n| fresh apply (92 distributions) | mean | pkgm overhead |")
print("|---|---|---|")
pairs = {"pkgm apply (pip)": "venv + pip install -r", "pkgm apply (uv)": "venv + uv pip install"}
for command, run in fresh.items():
    bare = pairs.get(command)
    overhead = f"{(run['mean'] / fresh[bare]['mean'] - 1) * 100:+.1f}%" if bare else "—"
    print(f"| `{command}` | {fmt(run)} | {overhead} |")
