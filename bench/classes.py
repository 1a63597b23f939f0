"""What class checks that follow the class hierarchy cost (issue 11, item 1).

Validates the same generated records, in this process (one worker), three ways in one run:

- **without** the hierarchy (shapes as shipped, no entailments: gdcat before this change);
- **with** it, as gdcat validates now (:mod:`gdcat.validate.classes`: ``sh:class`` rewritten to
  value-check classes, only the needed ``rdf:type`` entailments added to each copy);
- **ont_graph**, for comparison: the shipped vocabularies handed to pySHACL as its
  ``ont_graph`` (pySHACL mixes them into every data graph it validates), the approach the
  official validators' setup suggests. Measured on fewer records (``--ont-records``).

Runs alternate (without, with, without, with...) so that a noisy machine affects both alike;
the best run of each is kept. Times are CPU seconds of this process (everything runs in it):
on a machine shared with other jobs, wall-clock time measures the neighbours.

    PYTHONPATH=src .venv/bin/python bench/classes.py --records 400 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _records(n: int) -> list[Any]:
    from gdcat.demo import iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    records = []
    for text in iter_record_documents(n, seed=11):
        records.extend(split_records(parse_bytes(text.encode(), "turtle")))
    return records[:n]


@contextmanager
def _without_hierarchy() -> Iterator[None]:
    """The validator as it was: shapes as shipped, no entailments."""
    from gdcat.validate import runner
    from gdcat.validate.classes import ShapesClasses
    from gdcat.validate.profiles import shapes_graph

    saved = runner.validation_shapes, runner.entailments
    none = ShapesClasses(frozenset(), frozenset())
    runner.validation_shapes = lambda p, lv: (shapes_graph(p, lv), none)  # type: ignore[assignment]
    runner.entailments = lambda *a, **k: []  # type: ignore[assignment]
    try:
        yield
    finally:
        runner.validation_shapes, runner.entailments = saved


def _timed(profile: str, graphs: list[Any]) -> tuple[float, int, int]:
    """Records/s, records conforming, class violations."""
    from gdcat.validate import Validator

    with Validator(profile, workers=1) as validator:
        start = time.process_time()
        reports = validator.validate_many(graphs)
        elapsed = time.process_time() - start
    classes = sum(1 for r in reports for x in r.results if x.constraint == "sh:class")
    return len(graphs) / elapsed, sum(r.conforms for r in reports), classes


def _ont_graph(profile: str, graphs: list[Any]) -> float:
    """pySHACL with the whole vocabularies as ``ont_graph``, one record a run."""
    import pyshacl
    from rdflib import Graph

    from gdcat.validate import get_profile
    from gdcat.validate.background import validation_copy
    from gdcat.validate.classes import import_files

    ont = Graph()
    for path in import_files():
        ont.parse(path, format="turtle")
    shapes = get_profile(profile).shapes_graph()
    start = time.process_time()
    for graph in graphs:
        data, _ = validation_copy(graph)
        pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=ont, inference="none", allow_warnings=True
        )
    return len(graphs) / (time.process_time() - start)


def _plain(profile: str, graphs: list[Any]) -> float:
    """The same loop as :func:`_ont_graph` without the vocabularies: its baseline."""
    import pyshacl

    from gdcat.validate import get_profile
    from gdcat.validate.background import validation_copy

    shapes = get_profile(profile).shapes_graph()
    start = time.process_time()
    for graph in graphs:
        data, _ = validation_copy(graph)
        pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return len(graphs) / (time.process_time() - start)


def _best(runs: list[tuple[float, int, int]]) -> tuple[float, int, int]:
    return max(runs, key=lambda r: r[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--ont-records", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profiles", nargs="+", default=["dcat-ap-3", "healthdcat-ap-r8"])
    args = parser.parse_args()

    from gdcat.validate.background import vocabulary_index
    from gdcat.validate.classes import class_index, validation_shapes
    from gdcat.validate.runner import check_profile

    records = _records(args.records)
    graphs = [r.graph for r in records]
    start = time.process_time()
    index = class_index()
    index_seconds = time.process_time() - start
    vocabulary_index()
    out: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "records": len(graphs),
        "class_index_seconds": round(index_seconds, 3),
        "classes_in_index": len(index.superclasses),
        "profiles": {},
    }
    for profile in args.profiles:
        check_profile(profile)
        for level in check_profile(profile).level_names:
            validation_shapes(profile, level)
        _timed(profile, graphs[:5])  # warm caches (SPARQL, shapes) for both variants
        with _without_hierarchy():
            _timed(profile, graphs[:5])
        before: list[tuple[float, int, int]] = []
        after: list[tuple[float, int, int]] = []
        for _ in range(args.repeat):
            with _without_hierarchy():
                before.append(_timed(profile, graphs))
            after.append(_timed(profile, graphs))
        b, a = _best(before), _best(after)
        sample = graphs[: args.ont_records]
        plain = _plain(profile, sample)
        ont = _ont_graph(profile, sample)
        out["profiles"][profile] = {
            "without_records_per_s": round(b[0], 1),
            "with_records_per_s": round(a[0], 1),
            "ratio_with_over_without": round(a[0] / b[0], 3),
            "conforming_without": b[1],
            "conforming_with": a[1],
            "class_violations_without": b[2],
            "class_violations_with": a[2],
            "ont_graph_sample": len(sample),
            "one_record_a_run_records_per_s": round(plain, 2),
            "ont_graph_records_per_s": round(ont, 2),
            "ratio_ont_graph_over_plain": round(ont / plain, 3),
            "all_runs_without": [round(r[0], 1) for r in before],
            "all_runs_with": [round(r[0], 1) for r in after],
        }
        print(profile, json.dumps(out["profiles"][profile]))
    target = ROOT / "bench" / "results" / "classes.json"
    target.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written {target}")


if __name__ == "__main__":
    main()
