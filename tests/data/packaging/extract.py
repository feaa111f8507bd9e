"""Extracts `packaging`'s own specifier and marker test vectors into `vectors.json`.

The vectors are data from packaging's test suite (https://github.com/pypa/packaging,
dual-licensed Apache-2.0 / BSD-2-Clause; see NOTICE), taken from its sdist:

    pip download --no-binary :all: --no-deps packaging==26.4
    tar xzf packaging-26.4.tar.gz
    python -m venv /tmp/x && /tmp/x/bin/pip install pytest pretend hypothesis packaging==26.4
    /tmp/x/bin/python tests/data/packaging/extract.py packaging-26.4 > tests/data/packaging/vectors.json

Only the inputs are kept; the expected answers are decided again by `reference.py`
(with the installed packaging) and stored beside them, so the differential test can
compare with the reference whether or not packaging is importable where it runs.
"""

import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1]).resolve()
sys.path.insert(0, str(root))

import packaging  # noqa: E402
from tests import test_markers, test_specifiers  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import reference  # noqa: E402


def parameters(cls, name, wanted):
    """The rows of a parametrized test, as dicts limited to the `wanted` names."""
    function = getattr(cls, name)
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = mark.args[0]
        names = [names] if isinstance(names, str) else list(names)
        if not set(wanted) <= set(names):
            continue
        for row in mark.args[1]:
            row = row.values if hasattr(row, "values") else row
            row = (row,) if len(names) == 1 else row
            yield {key: value for key, value in zip(names, row) if key in wanted}


spec = test_specifiers.TestSpecifier
spec_set = test_specifiers.TestSpecifierSet
marker = test_markers.TestMarker

contains = []
sets = []
for cls, name, version_key, spec_key in [
    (spec, "test_specifiers", "version", "spec_str"),
    (spec, "test_invalid_version", "version", "spec_str"),
    (spec, "test_arbitrary_equality", "version", "spec_str"),
    (spec, "test_arbitrary_equality_normalization", "version", "spec_str"),
    (spec_set, "test_comparison_ignores_local", "version", "specifier"),
    (spec_set, "test_contains_arbitrary_equality_contains", "version", "specifier"),
    (spec_set, "test_contains_arbitrary_equality_normalization", "version", "spec_str"),
    (spec_set, "test_contains_post_release_boundary_intersection", "version", "spec_str"),
    (spec_set, "test_contains_exclusionary_bridges", "version", "specifier"),
]:
    for row in parameters(cls, name, [version_key, spec_key]):
        case = [str(row[spec_key]), str(row[version_key])]
        chosen = sets if cls is spec_set else contains
        if case not in chosen:
            chosen.append(case)

validity = list(test_specifiers.SPECIFIERS)
validity += [row["specifier"] for row in parameters(spec, "test_specifiers_invalid", ["specifier"])]

markers = []
for name in ["test_evaluates", "test_evaluate_pep345_markers", "test_version_like_equality"]:
    for row in parameters(marker, name, ["marker_string", "environment"]):
        markers.append([row["marker_string"], row["environment"] or {}])
parsing = []
for name in [
    "test_parses_valid",
    "test_parses_pep345_valid",
    "test_parses_setuptools_legacy_valid",
    "test_parses_invalid",
    "test_parses_invalid_malformed_quoted_string",
]:
    parsing += [row["marker_string"] for row in parameters(marker, name, ["marker_string"])]

cases = {
    "specifiers": contains,
    "specifier_sets": sets,
    "validity": validity,
    "markers": markers,
    "parsing": parsing,
}
json.dump(
    {
        "source": f"packaging {packaging.__version__} test suite (Apache-2.0 OR BSD-2-Clause)",
        "base_environment": reference.BASE,
        "cases": cases,
        "expected": reference.decide(cases),
    },
    sys.stdout,
    indent=0,
)
print()
