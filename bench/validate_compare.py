"""Batch validation side by side (issue 13 item 4): gdcat's engine, gdcat with pySHACL, naive
pySHACL and rudof on the same shapes and the same records, in one run.

The records are ``--records`` generated HealthDCAT-AP-style datasets (the demo generator),
validated with each of ``--profiles`` (default ``healthdcat-ap-r8,gdcat``). gdcat cuts them into
batches as its validator does (records of one profile level together, ``validation_batch_size``
a batch); each engine then validates the same batches:

- **gdcat**: ``Validator(profile, workers=1).validate_many(graphs)`` with gdcat's own engine
  (:mod:`gdcat.validate.engine`, the default), end to end (units and batches, the data graph
  with its vocabulary and class entailments, validation, results traced back to fields and
  explained): what a harvest pays;
- **gdcat_text**: the same validator on the same records handed over as a harvest hands them
  (each record's graph written as N-Triples, parsed, split and written again by a parsing
  process's :func:`gdcat.harvest.parsing.parse_page`, then :func:`~gdcat.harvest.parsing.
  record_of`): the records travel as text, are batched from it and read from it where they
  are validated; its reports must be gdcat's (blank nodes named apart);
- **gdcat_engine_only**: the same batches through
  :func:`gdcat.validate.runner.validate_batch` (data graph with vocabulary and entailments,
  validation, raw results): the part that compares with rudof's;
- **gdcat_pyshacl**: the same validator with ``validation_engine="pyshacl"`` (pySHACL with the
  prepared shapes): today's gdcat before this engine;
- **naive pySHACL**: a fresh ``pyshacl.validate(data, shacl_graph=shapes)`` per batch, on the
  same data graph gdcat hands pySHACL (shapes graph rebuilt into pySHACL's index every time);
- **rudof** (``pyrudof``, the Rust SHACL engine): shapes read once, each batch's data graph read
  from N-Triples text (prepared beforehand, not timed) and validated with the native engine.

Times are CPU seconds of this process (on a shared machine, wall time measures the neighbours),
best of ``--repeat`` runs, engines alternating. Results: gdcat's engine against pySHACL, every
field of every raw result batch by batch and every report of the two validators (they must be
identical); rudof against pySHACL, result by result as (focus node, constraint component, path,
value), the counts that agree and that differ, by component (rudof is a reference here, not a
dependency).

    PYTHONPATH=src .venv/bin/python bench/validate_compare.py --records 500 --repeat 2

Results go to ``bench/results/validate_compare.json`` (``--out`` elsewhere) and the end of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

Key = tuple[str, str, str, str]


def _records(n: int) -> list[Any]:
    from gdcat.demo import iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    records = []
    for text in iter_record_documents(n, seed=7):
        records.extend(split_records(parse_bytes(text.encode(), "turtle")))
    return records[:n]


def _broken(records: list[Any], every: int) -> list[Any]:
    """``records``, every ``every``-th one broken by the next of the demo's defects (a missing
    title, a negative count, a literal for an IRI...); all of them unchanged when 0."""
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    from gdcat.demo.defects import DEFECTS
    from gdcat.demo.turtle import TripleList

    if every <= 0:
        return records
    out = []
    for i, record in enumerate(records):
        if i % every:
            out.append(record)
            continue
        triples = TripleList()
        for t in record.graph:
            triples.add(t)
        defect = DEFECTS[(i // every) % len(DEFECTS)]
        for ds in record.graph.subjects(RDF.type, DCAT.Dataset):
            defect.apply(triples, ds)
        graph = Graph()
        for t in triples:
            graph.add(t)
        out.append(SimpleNamespace(graph=graph))
    return out


def _batches(profile: str, records: list[Any]) -> list[tuple[str, Any, Any]]:
    """(level, data graph, batch triples) per batch, cut as gdcat's validator cuts them."""
    from gdcat.validate import Validator
    from gdcat.validate.runner import _add_stubs, validation_data

    validator = Validator(profile, workers=1)
    units = []
    for index, record in enumerate(records):
        units.extend(validator._units(index, record.graph))
    _add_stubs(units)
    out = []
    for b in validator._batches(units, False):
        triples = b.triples()
        out.append((b.level, validation_data(profile, b.level, triples), triples))
    return out


def _as_harvested(records: list[Any]) -> list[Any]:
    """The records as a harvest hands them to the validator: as N-Triples text."""
    from gdcat.harvest.parsing import parse_page, record_of
    from gdcat.rdf.formats import get_format
    from gdcat.rdf.parse import DEFAULT_LIMITS

    out = []
    for n, record in enumerate(records):
        url = f"https://node.example.org/page/{n}"
        body = record.graph.serialize(format="nt", encoding="utf-8")
        page = parse_page(body, get_format("ntriples"), url, url, 10**8, DEFAULT_LIMITS)
        out.extend(record_of(p, url) for p in page.records)
    return out


def _comparable(reports: list[Any]) -> list[Any]:
    """Every result of ``reports``, blank nodes named apart (two readings of one text give
    them other labels), in a fixed order."""
    out = []
    for report in reports:
        for result in report.results:
            fields = result.to_dict()
            for name in ("dataset", "focus_node", "value"):
                if isinstance(fields.get(name), str) and fields[name].startswith("_:"):
                    fields[name] = "_:"
            out.append(json.dumps(fields, sort_keys=True, default=str))
    return sorted(out)


def _component(iri: str) -> str:
    name = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return name.removesuffix("ConstraintComponent")


def _path_text(path: Any) -> str:
    return "" if path is None else str(path)


def _pyshacl_keys(profile: str, batches: list[tuple[str, Any]]) -> Counter[Key]:
    """pySHACL's results (as gdcat runs it) per batch, as comparable keys."""
    from gdcat.validate.runner import _fast_parameter_lookup, _raw_results, _report

    keys: Counter[Key] = Counter()
    for level, data in batches:
        with _fast_parameter_lookup():
            report, shapes = _report(profile, level, data)
        for raw in _raw_results(report, shapes, data):
            path = raw.path[1] if raw.path is not None and raw.path[0] == "p" else raw.path
            keys[(str(raw.focus), raw.component, _path_text(path), str(raw.value or ""))] += 1
    return keys


def _rudof_keys(entries: list[Any]) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    for e in entries:
        value = e.value or ""
        keys[
            (
                str(e.focus_node).strip("<>"),
                _component(str(e.constraint_component).strip("<>")),
                str(e.path or "").strip("<>"),
                str(value).strip("<>").split('"^^')[0].strip('"'),
            )
        ] += 1
    return keys


def _raw_keys(raws: Any) -> Counter[tuple[Any, ...]]:
    """Results of :func:`gdcat.validate.runner.validate_batch` as comparable keys (all fields)."""

    return Counter(raw.key() for raw in raws)


def compare_profile(profile_name: str, records: list[Any], repeat: int) -> dict[str, Any]:
    """Every engine on the same batches of ``records`` under one profile."""
    import pyrudof
    import pyshacl

    from gdcat.settings import Settings
    from gdcat.validate import Validator
    from gdcat.validate.classes import validation_shapes
    from gdcat.validate.runner import check_profile, validate_batch

    profile = check_profile(profile_name)
    graphs = [r.graph for r in records]
    texts = _as_harvested(records)
    cut = _batches(profile_name, records)
    batches = [(level, data) for level, data, _ in cut]
    levels = sorted({level for level, _ in batches})
    shapes = {level: validation_shapes(profile_name, level)[0] for level in levels}
    shapes_text = {level: g.serialize(format="turtle") for level, g in shapes.items()}
    data_text = [(level, d.serialize(format="nt")) for level, d in batches]

    validators = {
        engine: Validator(
            profile_name,
            workers=1,
            settings=Settings.model_validate({"validation_engine": engine}),
        )
        for engine in ("gdcat", "pyshacl")
    }
    for validator in validators.values():
        validator.validate_many(graphs[:5])  # shapes prepared, as in a running harvester
    validators["gdcat"].validate_many(texts[:5])

    rudofs: dict[str, Any] = {}
    for level in levels:
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(shapes_text[level], pyrudof.ShaclFormat.Turtle)
        rudofs[level] = rudof
    rudof_entries: list[Any] = []
    reports: dict[str, list[Any]] = {}

    def run_validator(engine: str) -> Callable[[], None]:
        def run() -> None:
            reports[engine] = validators[engine].validate_many(graphs)

        return run

    def run_text() -> None:
        reports["gdcat_text"] = validators["gdcat"].validate_many(texts)

    def run_engine() -> None:
        for level, _, triples in cut:
            validate_batch(profile_name, level, triples, "gdcat")

    def run_naive() -> None:
        for level, data in batches:
            pyshacl.validate(
                data,
                shacl_graph=shapes[level],
                inference="none",
                advanced=False,
                allow_warnings=True,
            )

    def run_rudof() -> None:
        rudof_entries.clear()
        for level, text in data_text:
            rudof = rudofs[level]
            rudof.reset_data()
            rudof.read_data(text, pyrudof.RDFFormat.NTriples)
            report = rudof.validate_shacl()
            rudof_entries.extend(report.violations)

    engines: dict[str, Callable[[], None]] = {
        "gdcat": run_validator("gdcat"),
        "gdcat_text": run_text,
        "gdcat_engine_only": run_engine,
        "gdcat_pyshacl": run_validator("pyshacl"),
        "naive_pyshacl": run_naive,
        "rudof": run_rudof,
    }
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in engines.items():
            start = time.process_time()
            run()
            spent = time.process_time() - start
            best[name] = min(best.get(name, spent), spent)

    # Exactly the same results: every field of every raw result, batch by batch, and every
    # report the two validators give.
    raw_gdcat: Counter[tuple[Any, ...]] = Counter()
    raw_pyshacl: Counter[tuple[Any, ...]] = Counter()
    for level, _, triples in cut:
        raw_gdcat.update(_raw_keys(validate_batch(profile_name, level, triples, "gdcat")))
        raw_pyshacl.update(_raw_keys(validate_batch(profile_name, level, triples, "pyshacl")))
    same_reports = [r.to_json() for r in reports["gdcat"]] == [
        r.to_json() for r in reports["pyshacl"]
    ]

    ours = _pyshacl_keys(profile_name, batches)
    theirs = _rudof_keys(rudof_entries)
    only_pyshacl = ours - theirs
    only_rudof = theirs - ours

    def by_component(keys: Counter[Key]) -> dict[str, int]:
        out: Counter[str] = Counter()
        for key, count in keys.items():
            out[key[1]] += count
        return dict(out.most_common())

    def example(keys: Counter[Key]) -> list[list[str]]:
        return [list(k) for k in list(keys)[:3]]

    rate = {name: round(len(records) / seconds, 1) for name, seconds in best.items()}
    return {
        "profile": profile.name,
        "records": len(records),
        "batches": len(batches),
        "batch_size": validators["gdcat"].batch_size,
        "cpu_seconds": {name: round(s, 2) for name, s in best.items()},
        "records_per_second": rate,
        "ratio_to_rudof": {name: round(best["rudof"] / s, 2) for name, s in best.items()},
        "gdcat_vs_gdcat_pyshacl": round(best["gdcat_pyshacl"] / best["gdcat"], 2),
        "gdcat_vs_naive": round(best["naive_pyshacl"] / best["gdcat"], 2),
        "gdcat_engine_identical_to_pyshacl": {
            "raw_results": sum(raw_gdcat.values()),
            "raw_results_pyshacl": sum(raw_pyshacl.values()),
            "raw_results_identical": raw_gdcat == raw_pyshacl,
            "reports_identical": same_reports,
            "results_in_reports": sum(len(r.results) for r in reports["gdcat"]),
            "text_records": len(texts),
            "text_reports_identical": _comparable(reports["gdcat_text"])
            == _comparable(reports["gdcat"]),
        },
        "rudof_vs_pyshacl": {
            "pyshacl": sum(ours.values()),
            "rudof": sum(theirs.values()),
            "agree": sum((ours & theirs).values()),
            "only_pyshacl": by_component(only_pyshacl),
            "only_rudof": by_component(only_rudof),
            "examples_only_pyshacl": example(only_pyshacl),
            "examples_only_rudof": example(only_rudof),
            "same_results": not only_pyshacl and not only_rudof,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument(
        "--profiles",
        default="healthdcat-ap-r8,gdcat",
        help="comma-separated profiles, each measured on the same records",
    )
    parser.add_argument("--profile", help="one profile only (the same as --profiles NAME)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--broken-every",
        type=int,
        default=0,
        help="break every N-th record with one of the demo's defects (0: none)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results" / "validate_compare.json",
        help="results file",
    )
    args = parser.parse_args()

    import pyshacl

    records = _broken(_records(args.records), args.broken_every)
    result: dict[str, Any] = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "versions": {"pyshacl": pyshacl.__version__, "pyrudof": version("pyrudof")},
        "records": len(records),
        "repeat": args.repeat,
        "broken_every": args.broken_every,
        "timing": "CPU seconds of this process, best of --repeat runs, engines alternating",
        "profiles": {},
    }
    for name in (args.profile or args.profiles).split(","):
        result["profiles"][name] = compare_profile(name.strip(), records, args.repeat)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result["profiles"][name], indent=2), flush=True)


if __name__ == "__main__":
    main()
