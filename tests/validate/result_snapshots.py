"""Every validation result of a fixed set of inputs, as plain data: the "same results" proof.

The inputs: every file of ``model/examples`` (valid and invalid), every file of the
``tests/corpus`` collection, the demo federation's records broken on purpose with a sample of
its good ones, and generated scale records (the benchmark's), each validated with every
profile. A file is validated as ``gdcat validate`` validates it (:func:`gdcat.ingest.check_paths`,
one file at a time); the demo and scale records together, in one ``validate_many`` call (the
batch path). Each report becomes its full list of results (dataset, field, property, focus
node, constraint component, severity, value, message, hint, source shape and shape message),
sorted; blank-node labels (new at every parse) become ``_:`` and the worktree's own file IRIs
``<root>``.

``tests/validate/snapshots/<profile>.json.gz`` holds them as recorded before the runner's
speed-ups; ``test_validation_snapshots.py`` checks that today's runner gives exactly them. To
record them again after a deliberate change of results (shapes, messages, vocabularies):

    PYTHONPATH=src .venv/bin/python tests/validate/result_snapshots.py
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
#: The single-level HealthDCAT-AP profiles use the shapes of ``healthdcat-ap-r8``'s levels,
#: which the demo records (all three access rights) reach.
PROFILES = ("gdcat", "dcat-ap-3", "healthdcat-ap-r8", "gdi", "fdp")
#: Every this-many-th good demo record joins the sample (the broken ones all do).
DEMO_STRIDE = 12
SCALE_RECORDS = 24

_BNODE = re.compile(r"_:[A-Za-z0-9_.-]+")
_ROOT_IRI = ROOT.as_uri()


def input_files() -> list[Path]:
    examples = sorted(p for p in (ROOT / "model" / "examples").rglob("*") if p.is_file())
    corpus = sorted(
        p
        for p in (ROOT / "tests" / "corpus").rglob("*")
        if p.is_file() and p.suffix in {".ttl", ".rdf", ".jsonld", ".nt", ".xml"}
    )
    return examples + corpus


def _text(value: object) -> object:
    if not isinstance(value, str):
        return value
    # the checkout's own place, as a file IRI or a path, is not part of a result
    return _BNODE.sub("_:", value.replace(_ROOT_IRI, "<root>").replace(str(ROOT), "<root>"))


def _record_key(iri: str) -> str:
    """A record's key: its IRI, or ``_:`` for a dataset that is a blank node (its label is
    new at every parse)."""
    return str(_text(iri)) if ":" in iri else "_:"


def _result(result: Any) -> list[object]:
    return [
        _text(x)
        for x in (
            result.dataset,
            result.path,
            result.property,
            result.focus_node,
            result.constraint_component,
            result.constraint,
            result.severity,
            result.value,
            result.message,
            result.hint,
            result.source_shape,
            result.shape_message,
        )
    ]


def _report(report: Any) -> dict[str, Any]:
    return {
        "conforms": report.conforms,
        "datasets": sorted(str(_text(d)) for d in report.datasets),
        "results": sorted((_result(r) for r in report.results), key=json.dumps),
    }


def demo_graphs() -> Iterator[tuple[str, Any]]:
    """(name, graph) of the demo records in the sample, then of the scale records."""
    from gdcat.demo import generate_federation, iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    federation = generate_federation()
    broken = {bad.dataset for bad in federation.invalid}
    serial = 0
    for node in federation.nodes:
        for record in split_records(node.graph()):
            serial += 1
            if record.iri in broken or serial % DEMO_STRIDE == 0:
                yield f"demo {record.iri}", record.graph
    texts = iter_record_documents(SCALE_RECORDS, seed=7)
    for text in texts:
        for record in split_records(parse_bytes(text.encode(), "turtle")):
            yield f"scale {record.iri}", record.graph


def snapshot(profile: str) -> dict[str, Any]:
    """Every report of every input under ``profile``, keyed by input."""
    from gdcat.ingest import check_paths
    from gdcat.validate import Validator

    out: dict[str, Any] = {}
    with Validator(profile, workers=1) as validator:
        for path in input_files():
            name = str(path.relative_to(ROOT))
            checked = check_paths([path], validator, max_bytes=10_000_000)
            if checked.unusable:
                out[name] = {"unusable": [str(_text(str(e))) for e in checked.unusable]}
                continue
            out[name] = {
                _record_key(str(c.record.iri)): _report(c.report)
                for c in sorted(checked.checked, key=lambda c: _record_key(str(c.record.iri)))
            }
        named = list(demo_graphs())
        reports = validator.validate_many([graph for _, graph in named])
        out["demo and scale records, one batch"] = {
            name: _report(report) for (name, _), report in zip(named, reports, strict=True)
        }
    return out


def snapshot_file(profile: str) -> Path:
    return SNAPSHOTS / f"{profile}.json.gz"


def read_snapshot(profile: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(snapshot_file(profile).read_bytes()))
    return data


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as it reads back from JSON (lists for tuples)."""
    back: dict[str, Any] = json.loads(json.dumps(data))
    return back


def main() -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    for profile in sys.argv[1:] or PROFILES:
        data = snapshot(profile)
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        snapshot_file(profile).write_bytes(gzip.compress(text.encode(), mtime=0))
        count = sum(
            len(r["results"])
            for reports in data.values()
            for r in reports.values()
            if "results" in r
        )
        print(f"{profile}: {len(data)} inputs, {count} results", file=sys.stderr)


if __name__ == "__main__":
    main()
