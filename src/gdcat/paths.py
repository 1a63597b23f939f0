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
    return _checkout()


@cache
def _checkout() -> Path:
    """The checkout this module runs from, resolved once: resolving a path asks the file
    system about each of its folders, and the vocabularies' index is looked up by this path
    for every new term a harvest normalises (a tenth of a parsing process's time) and on every
    page that shows a term."""
    return Path(__file__).resolve().parents[2]


def shapes_dir() -> Path:
    return _under(os.environ.get("GDCAT_HOME"), "shapes")


def ontologies_dir() -> Path:
    return _under(os.environ.get("GDCAT_HOME"), "ontologies")


def model_dir() -> Path:
    return _under(os.environ.get("GDCAT_HOME"), "model")


@cache
def _under(home: str | None, name: str) -> Path:
    """A folder of the project root (of ``GDCAT_HOME`` when set), made once: pages look the
    vocabularies up by this path for every term they describe."""
    return (Path(home) if home else _checkout()) / name


def examples_dir() -> Path:
    return model_dir() / "examples"
