"""Writes tiny pure-Python wheels and deliberately failing sdists for pkgm's tests.

Reads one JSON document on stdin and prints a JSON list of the files written.
Standard library only, so it runs on any python3 without a network:

    {"out_dir": "/path", "dists": [
        {"kind": "wheel", "name": "delta", "version": "1.0",
         "requires_dist": ["epsilon; extra == \"fast\""], "provides_extra": ["fast"],
         "requires_python": null, "init_source": null},
        {"kind": "failing_sdist", "name": "broken", "version": "1.0"}]}

Everything written is deterministic (fixed timestamps, sorted entries), so the
same request gives byte-identical files.
"""

import base64
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import zipfile

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_TAR_MTIME = 315532800  # 1980-01-01, matching the zip entries
FAILING_MESSAGE = "pkgm test fixture: {name} {version} is built to fail"


def escaped(name):
    """The wheel/sdist file-name form of a project name (PEP 427 + PEP 503)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def import_name(name):
    return escaped(name)


def metadata_text(dist):
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + dist["name"],
        "Version: " + dist["version"],
        "Summary: pkgm test fixture " + dist["name"],
    ]
    if dist.get("requires_python"):
        lines.append("Requires-Python: " + dist["requires_python"])
    for extra in dist.get("provides_extra", []):
        lines.append("Provides-Extra: " + extra)
    for requirement in dist.get("requires_dist", []):
        lines.append("Requires-Dist: " + requirement)
    return "\n".join(lines) + "\n\n"


def record_line(path, data):
    digest = hashlib.sha256(data).digest()
    encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return "{},sha256={},{}".format(path, encoded, len(data))


def write_wheel(out_dir, dist):
    stem = "{}-{}".format(escaped(dist["name"]), dist["version"])
    dist_info = stem + ".dist-info"
    init_source = dist.get("init_source")
    if init_source is None:
        init_source = "__version__ = {!r}\n".format(dist["version"])
    files = {
        import_name(dist["name"]) + "/__init__.py": init_source.encode("utf-8"),
        dist_info + "/METADATA": metadata_text(dist).encode("utf-8"),
        dist_info + "/WHEEL": (
            "Wheel-Version: 1.0\n"
            "Generator: pkgm-tests\n"
            "Root-Is-Purelib: true\n"
            "Tag: py3-none-any\n\n"
        ).encode("utf-8"),
    }
    record_path = dist_info + "/RECORD"
    record = [record_line(path, data) for path, data in sorted(files.items())]
    record.append(record_path + ",,")
    files[record_path] = ("\n".join(record) + "\n").encode("utf-8")

    target = os.path.join(out_dir, stem + "-py3-none-any.whl")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # RECORD last, as the wheel spec recommends.
        for path in sorted(files, key=lambda p: (p == record_path, p)):
            info = zipfile.ZipInfo(path, date_time=FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return target


FAILING_BACKEND = '''"""An in-tree PEP 517 backend that always fails: no build dependencies, so it
fails the same way offline, with pip's build isolation, and with uv."""

MESSAGE = {message!r}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError(MESSAGE)


def build_sdist(sdist_directory, config_settings=None):
    raise RuntimeError(MESSAGE)
'''

SLOW_BACKEND = '''"""An in-tree PEP 517 backend that sleeps before failing: an installer step that
lasts long enough for a test to interrupt it."""
import time


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    time.sleep(120)
    raise RuntimeError("slow fixture gave up")


def build_sdist(sdist_directory, config_settings=None):
    raise RuntimeError("slow fixture")
'''

FAILING_PYPROJECT = """[build-system]
requires = []
build-backend = "pkgm_failing_backend"
backend-path = ["."]

[project]
name = "{name}"
version = "{version}"
"""


def write_failing_sdist(out_dir, dist, backend=None):
    name, version = dist["name"], dist["version"]
    stem = "{}-{}".format(escaped(name), version)
    message = FAILING_MESSAGE.format(name=name, version=version)
    files = {
        "PKG-INFO": metadata_text({"name": name, "version": version}),
        "pyproject.toml": FAILING_PYPROJECT.format(name=name, version=version),
        "pkgm_failing_backend.py": backend or FAILING_BACKEND.format(message=message),
    }
    target = os.path.join(out_dir, stem + ".tar.gz")
    with open(target, "wb") as raw:
        # mtime=0 in the gzip header keeps the archive byte-identical across runs.
        import gzip

        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
            with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path in sorted(files):
                    data = files[path].encode("utf-8")
                    info = tarfile.TarInfo(stem + "/" + path)
                    info.size = len(data)
                    info.mtime = FIXED_TAR_MTIME
                    info.mode = 0o644
                    tar.addfile(info, io.BytesIO(data))
    return target


def write_slow_sdist(out_dir, dist):
    return write_failing_sdist(out_dir, dist, backend=SLOW_BACKEND)


WRITERS = {
    "wheel": write_wheel,
    "failing_sdist": write_failing_sdist,
    "slow_sdist": write_slow_sdist,
}


def main():
    request = json.load(sys.stdin)
    out_dir = request["out_dir"]
    os.makedirs(out_dir, exist_ok=True)
    written = [WRITERS[dist["kind"]](out_dir, dist) for dist in request["dists"]]
    json.dump(written, sys.stdout)


if __name__ == "__main__":
    main()
