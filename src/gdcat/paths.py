"""Where the project's data folders are: shapes, ontologies, model and examples.

They live at the top of the repository (committed, reviewed in diffs) rather than inside the
package; ``GDCAT_HOME`` points elsewhere when gdcat runs from another checkout or install.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``model/``, ``shapes/`` and ``ontologies/``."""
    env = os.environ.get("GDCAT_HOME")
    if env:
        return Path(env)
    return _installed_root()


@cache
def _installed_root() -> Path:
    """The project folder this package is installed in (resolving the path costs system
    calls, and pages ask for the vocabularies' folder on every request)."""
    return Path(__file__).resolve().parents[2]


def shapes_dir() -> Path:
    return project_root() / "shapes"


def ontologies_dir() -> Path:
    return project_root() / "ontologies"


def model_dir() -> Path:
    return project_root() / "model"


def examples_dir() -> Path:
    return model_dir() / "examples"
