"""The outcome of validating one corpus file, in a form that does not depend on the machine.

Used by ``tests/validate/test_corpus.py``; ``python tests/corpus/outcomes.py`` prints the
outcomes of every file (to review by hand against the official shapes before recording them
in ``expected.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
#: Folder → the profiles its files are validated with.
PROFILES = {
    "ckanext-dcat": ("dcat-ap-3",),
    "semic-dcat-ap-3": ("dcat-ap-3",),
    "fair-data-point": ("dcat-ap-3",),
    "healthdcat-ap": ("dcat-ap-3", "healthdcat-ap-r8"),
    "semic-dcat-ap-2": ("dcat-ap-3",),
    "dcat-ap-de": ("dcat-ap-3",),
}
SUFFIXES = (".ttl", ".rdf", ".jsonld", ".nt", ".xml")


def corpus_files() -> list[Path]:
    return sorted(
        p for folder in PROFILES for p in (CORPUS / folder).iterdir() if p.suffix in SUFFIXES
    )


def _value(result: Any, base: str) -> str:
    """The value of a result: an IRI as is, a literal in quotes, any blank node as ``_:``."""
    from rdflib import BNode, Literal

    term = result.value_term
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal):
        return f'"{term}"'
    return str(term).replace(base, "<file>")


def outcome(path: Path, validator: Any) -> dict[str, Any]:
    """Verdict, record count and the class violations (field, value) of one file."""
    from gdcat.ingest import check_paths

    checked = check_paths([path], validator, max_bytes=10_000_000)
    base = path.resolve().as_uri()
    if checked.unusable:
        (error,) = checked.unusable
        location = error.location
        return {
            "verdict": "unusable",
            "line": location.line if location else None,
            "column": location.column if location else None,
        }
    results = [r for c in checked.checked for r in c.report.results]
    violations = [r for r in results if r.severity == "Violation"]
    return {
        "verdict": "violations" if violations else "conforms",
        "records": len(checked.records),
        "class_violations": sorted(
            {(r.path, _value(r, base)) for r in violations if r.constraint == "sh:class"}
        ),
    }


def main() -> None:
    from gdcat.validate import Validator

    out: dict[str, dict[str, Any]] = {}
    validators: dict[str, Any] = {}
    for path in corpus_files():
        for profile in PROFILES[path.parent.name]:
            validator = validators.setdefault(profile, Validator(profile, workers=1))
            key = f"{path.relative_to(CORPUS)} {profile}"
            found = outcome(path, validator)
            found["class_violations"] = [list(x) for x in found.get("class_violations", [])]
            out[key] = found
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
