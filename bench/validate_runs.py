"""What reusing pySHACL's prepared shapes across runs buys (issue 10's check-as-you-type, issue
13 item 4's batches): the runner before and after :mod:`gdcat.validate.compiled`, in one run.

- **before**: each batch handed to ``pyshacl.validate`` with the shapes *graph* (pySHACL
  rebuilds its shape index, reads every shape's targets, writes a text description of every
  result and a prefixed report graph), each result's shape read back from the graph, each value
  hint written again: the runner as it was;
- **after**: the runner as it is (one pySHACL ``ShapesGraph`` per profile level and process,
  targets read once, no text report, shape facts and hints read once).

Both validate the same generated records in this process (one worker), alternating (before,
after, before, after…) so that a noisy machine affects both alike; the best of ``--repeat``
runs is kept. Times are CPU seconds of this process: on a machine shared with other jobs,
wall-clock time measures the neighbours. Both give the same reports (checked here on every
run, and on a fixed corpus by ``tests/validate/test_validation_snapshots.py``).

    PYTHONPATH=src .venv/bin/python bench/validate_runs.py --batch 200 --single 20 --repeat 2

Results go to ``bench/results/validate_runs.json`` and the end of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- validate-runs: begin -->"
END = "<!-- validate-runs: end -->"


def _records(n: int) -> list[Any]:
    from gdcat.demo import iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    records = []
    for text in iter_record_documents(n, seed=7):
        records.extend(split_records(parse_bytes(text.encode(), "turtle")))
    return records[:n]


class _Uncached:
    """The shapes graph read afresh for every result, as the runner did."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    def memo(self, kind: str, node: Any, build: Callable[[Any, Any], Any]) -> Any:
        return build(self.graph, node)


def _report_before(profile_name: str, level: str, data: Any) -> tuple[Any, _Uncached]:
    import pyshacl

    from gdcat.validate.classes import validation_shapes

    shapes, _ = validation_shapes(profile_name, level)
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    return report, _Uncached(shapes)


@contextmanager
def _before() -> Iterator[None]:
    """The runner as it was before :mod:`gdcat.validate.compiled`."""
    from gdcat.validate import guide, runner

    saved = runner._report, guide._guide
    runner._report = _report_before  # type: ignore[assignment]
    guide._guide = guide._guide.__wrapped__  # type: ignore[assignment]
    try:
        yield
    finally:
        runner._report, guide._guide = saved  # type: ignore[assignment]


@contextmanager
def _after() -> Iterator[None]:
    yield


PATHS: dict[str, Callable[[], Any]] = {"before": _before, "after": _after}


def _cpu(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    out = run()
    return time.process_time() - start, out


def _measure(profile: str, graphs: list[Any], single: int, repeat: int) -> dict[str, Any]:
    from gdcat.validate import Validator

    validator = Validator(profile, workers=1)
    for path in PATHS.values():  # load shapes, vocabularies, pySHACL: outside the timing
        with path():
            validator.validate(graphs[0])
    one: dict[str, list[float]] = {name: [] for name in PATHS}
    for _ in range(single):
        for name, path in PATHS.items():
            with path():
                seconds, _ = _cpu(lambda: validator.validate(graphs[1]))
            one[name].append(seconds)
    batch: dict[str, float] = {}
    reports: dict[str, Any] = {}
    for _ in range(repeat):
        for name, path in PATHS.items():
            with path():
                seconds, out = _cpu(lambda: validator.validate_many(graphs))
            batch[name] = min(batch.get(name, seconds), seconds)
            reports[name] = [r.to_json() for r in out]
    validator.close()
    same = _comparable(reports["before"]) == _comparable(reports["after"])
    ms = {name: statistics.median(values) * 1000 for name, values in one.items()}
    rate = {name: len(graphs) / seconds for name, seconds in batch.items()}
    return {
        "one_record_ms_before": round(ms["before"], 1),
        "one_record_ms_after": round(ms["after"], 1),
        "one_record_ratio": round(ms["before"] / ms["after"], 2),
        "batch_records_per_s_before": round(rate["before"], 1),
        "batch_records_per_s_after": round(rate["after"], 1),
        "batch_ratio": round(rate["after"] / rate["before"], 2),
        "same_reports": same,
    }


def _comparable(reports: list[Any]) -> str:
    """Reports as text, blank-node labels (new at each run's copies) left out."""
    return re.sub(r"_:[A-Za-z0-9]+", "_:", json.dumps(reports, sort_keys=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--batch", type=int, default=200, help="records in the batch")
    parser.add_argument("--single", type=int, default=20, help="one-record runs per path")
    parser.add_argument("--repeat", type=int, default=2, help="batch runs per path")
    parser.add_argument("--profiles", nargs="+", default=["gdcat", "dcat-ap-3", "healthdcat-ap-r8"])
    args = parser.parse_args()
    graphs = [r.graph for r in _records(args.batch)]
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "batch": len(graphs),
        "single": args.single,
        "repeat": args.repeat,
        "profiles": {},
    }
    for profile in args.profiles:
        print(f"{profile}…", flush=True)
        results["profiles"][profile] = _measure(profile, graphs, args.single, args.repeat)
        print(json.dumps(results["profiles"][profile]), flush=True)
    (ROOT / "bench" / "results" / "validate_runs.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    _write_markdown(results)


def _write_markdown(results: dict[str, Any]) -> None:
    lines = [
        START,
        "## Validation runs: pySHACL's prepared shapes kept across runs",
        "",
        "`PYTHONPATH=src .venv/bin/python bench/validate_runs.py --batch "
        f"{results['batch']} --single {results['single']} --repeat {results['repeat']}` "
        "(`bench/validate_runs.py`; raw figures in `bench/results/validate_runs.json`).",
        f"Run {results['date']} on {results['machine']}, in one process (one worker). "
        "*Before*: each run hands pySHACL the shapes graph (it rebuilds its shape index, reads "
        "every shape's targets and writes a text report each time); *after*: "
        "`gdcat.validate.compiled` keeps pySHACL's prepared shapes per profile level. Runs "
        "alternate; CPU time of the process; one record: median of the runs; batch: best run.",
        "",
        "| profile | one record, before (ms) | after (ms) | ratio | "
        f"{results['batch']} records, before (records/s) | after (records/s) | ratio | "
        "same reports |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for profile, r in results["profiles"].items():
        lines.append(
            f"| `{profile}` | {r['one_record_ms_before']} | {r['one_record_ms_after']} "
            f"| {r['one_record_ratio']}× | {r['batch_records_per_s_before']} "
            f"| {r['batch_records_per_s_after']} | {r['batch_ratio']}× "
            f"| {'yes' if r['same_reports'] else 'NO'} |"
        )
    lines += [
        "",
        "Every result of a fixed corpus (the model's examples, the third-party corpus, demo and",
        "scale records) is compared with results recorded before the change by",
        "`tests/validate/test_validation_snapshots.py`.",
        END,
    ]
    page = ROOT / "docs" / "benchmarks.md"
    text = page.read_text(encoding="utf-8")
    block = "\n".join(lines)
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
