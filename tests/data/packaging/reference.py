"""Decides specifier and marker questions with the installed `packaging`, for pkgm's
differential test. Reads the cases as JSON on stdin, prints the answers as JSON.

Every answer is `true`, `false`, `"invalid"` (packaging refuses to parse it) or
`"error"` (it parses, but evaluating it raises). Markers are evaluated in the given
environment with `extra` set to the given extra, pip's way of asking about one extra.
"""

import json
import sys

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet

BASE = {
    "implementation_name": "cpython",
    "implementation_version": "3.11.7",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "6.1.0",
    "platform_system": "Linux",
    "platform_version": "#1 SMP",
    "python_full_version": "3.11.7",
    "python_version": "3.11",
    "sys_platform": "linux",
}


def contains(parse, spec, version):
    try:
        return parse(spec).contains(version, prereleases=True)
    except (InvalidSpecifier, ValueError):
        return "invalid"


def evaluate(marker, environment, extra=""):
    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return "invalid"
    try:
        return parsed.evaluate({**BASE, **environment, "extra": extra})
    except (UndefinedComparison, UndefinedEnvironmentName, KeyError, ValueError, TypeError):
        return "error"


def decide(cases):
    return {
        "specifiers": [contains(Specifier, s, v) for s, v in cases["specifiers"]],
        "specifier_sets": [contains(SpecifierSet, s, v) for s, v in cases["specifier_sets"]],
        "validity": [contains(Specifier, s, "0") != "invalid" for s in cases["validity"]],
        "markers": [evaluate(m, env, *extra) for m, env, *extra in cases["markers"]],
        "parsing": [evaluate(m, {}) for m in cases["parsing"]],
    }


if __name__ == "__main__":
    json.dump(decide(json.load(sys.stdin)), sys.stdout)
