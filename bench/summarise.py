"""Prints the benchmark ratios (from hyperfine's JSON exports) as Markdown tables.

Wall-clock means are noisy on shared machines, so every table also gives CPU time
(user + system), which other load disturbs far less.
"""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1])


def load(name):
    data = json.loads((results / f"{name}.json").read_text())
    return {run["command"]: run for run in data["results"]}


def cpu(run):
    return run["user"] + run["system"]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


noop = load("noop")
base = noop["pkgm plan"]
print("| no-op plan, 92 installed | wall (median) | CPU | pkgm faster, wall | pkgm faster, CPU |")
print("|---|---|---|---|---|")
for command, run in noop.items():
    wall_ratio = "—" if run is base else f"{run['median'] / base['median']:.1f}×"
    cpu_ratio = "—" if run is base else f"{cpu(run) / cpu(base):.1f}×"
    print(f"| `{command}` | {ms(run['median'])} | {ms(cpu(run))} | {wall_ratio} | {cpu_ratio} |")

scaling = load("scaling")
print("\n| `pkgm plan` over N distributions | wall (median) | CPU | CPU added per distribution since the previous row |")
print("|---|---|---|---|")
previous = None
for command, run in scaling.items():
    count = int(command)
    marginal = "—" if previous is None else f"{(cpu(run) - cpu(previous[1])) * 1e6 / (count - previous[0]):.1f} µs"
    print(f"| {count} | {ms(run['median'])} | {ms(cpu(run))} | {marginal} |")
    previous = (count, run)

fresh = load("fresh")
pairs = {"pkgm apply (pip)": "venv + pip install -r", "pkgm apply (uv)": "venv + uv pip install"}
print("\n| fresh apply, 92 distributions | wall (median) | wall (best) | pkgm overhead, median | pkgm overhead, best |")
print("|---|---|---|---|---|")
for command, run in fresh.items():
    bare = pairs.get(command)
    if bare:
        median = f"{(run['median'] / fresh[bare]['median'] - 1) * 100:+.1f}%"
        best = f"{(run['min'] / fresh[bare]['min'] - 1) * 100:+.1f}%"
    else:
        median = best = "—"
    print(f"| `{command}` | {ms(run['median'])} | {ms(run['min'])} | {median} | {best} |")
