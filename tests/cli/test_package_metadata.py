"""Installing gdcat prints no warning of ours: the package metadata is built by setuptools (as
``pip install`` does) from the project's ``pyproject.toml``, with every warning shown.

The licence is an SPDX expression with its file (PEP 639): the TOML table form
(``license = { text = ... }``) makes setuptools 77 and later print a deprecation warning on
every install, and builds fail with it from 2027-02-18.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

BUILD = """
import sys
from setuptools import build_meta
print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))
"""


def test_the_package_metadata_builds_without_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "src" / "gdcat").mkdir(parents=True)
    (source / "src" / "gdcat" / "__init__.py").write_text("")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(PROJECT / name, source / name)
    out = tmp_path / "metadata"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", BUILD, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    metadata = (out / done.stdout.strip().splitlines()[-1] / "METADATA").read_text()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
