"""The validation page: time from upload to report, through a real ``gdcat serve``.

One run, one ``gdcat serve`` process on an empty store (the page stores nothing), driven over
loopback HTTP as a browser posts the form (``multipart/form-data``):

- a 1-record steward YAML file (``model/examples/valid/nl-rare-disease-wgs.yaml``): the first
  upload after the server started (it loads the model, the profile's shapes and the shipped
  vocabularies, once per process), then ``--repeat`` more, with the report as the page and
  as a CSV download;
- a 500-record steward YAML document (the valid examples cycled under new IRIs, one in 25
  without its title, so that the report has violations to show): ``--repeat-large`` uploads,
  the page and the CSV download;
- a 500-row spreadsheet: the XLSX template (``gdcat.model.template``) with its example row
  filled in 500 times under new IRIs and titles, one in 25 without its title, as a steward
  fills it: ``--repeat-large`` uploads of the page.

For each, the time from the first byte sent to the last byte of the answer, and the answer's
size. In the same run, the same documents validated in this process (parse, split, validate:
what the page adds to that is reading the form and drawing the report) give the ratio.

    PYTHONPATH=src .venv/bin/python bench/validate_page.py

Results go to ``bench/results/validate_page.json`` and ``docs/benchmarks.md`` (``bench/run.py
--report-only`` rewrites the page). About a minute on a quiet machine (six on a shared one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import _free_port, gdcat_env, start_gdcat

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "validate_page.json"
VALID = ROOT / "model" / "examples" / "valid"
ONE = VALID / "nl-rare-disease-wgs.yaml"


def many_records(count: int) -> bytes:
    """``count`` steward YAML records: the valid examples cycled under new IRIs; every 25th
    lacks its title (a violation)."""
    examples = []
    for path in sorted(VALID.glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text())
        examples.extend(loaded if isinstance(loaded, list) else [loaded])
    # series and their members point at each other by IRI: keep plain datasets only
    plain = [e for e in examples if e.get("type", "Dataset") == "Dataset" and "in_series" not in e]
    records = []
    for n in range(count):
        record = dict(plain[n % len(plain)], id=f"https://bench.gdcat.example/dataset/{n}")
        if n % 25 == 0:
            record.pop("title", None)
        records.append(record)
    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False).encode()


def many_rows(count: int) -> bytes:
    """The XLSX template with ``count`` rows: its example row under new IRIs and titles; every
    25th row lacks its title (a violation)."""
    import io

    import openpyxl

    from gdcat.model.template import template_xlsx

    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["datasets"]
    header = [cell.value for cell in sheet[1]]
    example = [cell.value for cell in sheet[2]]
    for n in range(count):
        values = dict(zip(header, example, strict=True))
        values["id"] = f"https://bench.gdcat.example/dataset/sheet-{n}"
        values["identifier"] = f"BENCH-SHEET-{n}"
        values["title"] = None if n % 25 == 0 else f"Spreadsheet row {n}"
        for col, name in enumerate(header, start=1):
            sheet.cell(row=2 + n, column=col, value=values[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(client: httpx.Client, url: str, name: str, data: bytes, download: str = "") -> float:
    """Seconds from sending the form to the answer's last byte; the answer must be a report."""
    start = time.perf_counter()
    answer = client.post(
        url + "/validate",
        data={"profile": "gdcat", "format": "auto", "download": download},
        files={"file": (name, data)},
    )
    seconds = time.perf_counter() - start
    if answer.status_code != 200 or (not download and 'id="summary"' not in answer.text):
        raise RuntimeError(f"no report: {answer.status_code} {answer.text[:500]}")
    post.last_size = len(answer.content)  # type: ignore[attr-defined]
    print(f"{name} {download or 'page'}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return seconds


def in_process(data: bytes, name: str) -> float:
    """The same document parsed, split and validated in this process (seconds)."""
    from gdcat.ingest import check_records, records_of_document
    from gdcat.rdf.formats import format_for_path
    from gdcat.rdf.parse import parse_bytes
    from gdcat.validate import Validator

    start = time.perf_counter()
    graph = parse_bytes(data, format_for_path(name), source=name)
    records = records_of_document(graph, name, "urn:x-bench")
    check_records(records, Validator("gdcat", workers=1))
    seconds = time.perf_counter() - start
    print(f"{name} in process: {seconds:.2f} s", file=sys.stderr, flush=True)
    return seconds


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "runs": len(ordered)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    one = ONE.read_bytes()
    large = many_records(args.records)
    sheet = many_rows(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}/"
        env = gdcat_env(work / "store", work, base)
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        env["GDCAT_VALIDATION_WORKERS"] = "1"
        server = start_gdcat(work / "store", port, env)
        try:
            with httpx.Client(timeout=600) as client:
                url = server.url
                first = post(client, url, ONE.name, one)
                one_page = [post(client, url, ONE.name, one) for _ in range(args.repeat)]
                one_size = post.last_size  # type: ignore[attr-defined]
                one_csv = [post(client, url, ONE.name, one, "csv") for _ in range(args.repeat)]
                large_page = [
                    post(client, url, "many.yaml", large) for _ in range(args.repeat_large)
                ]
                large_size = post.last_size  # type: ignore[attr-defined]
                large_csv = [
                    post(client, url, "many.yaml", large, "csv") for _ in range(args.repeat_large)
                ]
                large_csv_size = post.last_size  # type: ignore[attr-defined]
                sheet_page = [
                    post(client, url, "many.xlsx", sheet) for _ in range(args.repeat_large)
                ]
                sheet_size = post.last_size  # type: ignore[attr-defined]
            peak = server.peak_rss_mb()
        finally:
            server.stop()
    own: dict[str, Callable[[], float]] = {
        "one": lambda: in_process(one, ONE.name),
        "large": lambda: in_process(large, "many.yaml"),
        "sheet": lambda: in_process(sheet, "many.xlsx"),
    }
    own["one"]()  # load the model, shapes and vocabularies in this process first
    in_process_times = {
        "one": [own["one"]() for _ in range(args.repeat)],
        "large": [own["large"]() for _ in range(args.repeat_large)],
        "sheet": [own["sheet"]() for _ in range(args.repeat_large)],
    }
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "records": args.records,
        "bytes": {"one": len(one), "large": len(large), "sheet": len(sheet)},
        "first_upload_seconds": first,
        "page": {
            "one": summary(one_page),
            "large": summary(large_page),
            "sheet": summary(sheet_page),
        },
        "csv": {"one": summary(one_csv), "large": summary(large_csv)},
        "in_process": {k: summary(v) for k, v in in_process_times.items()},
        "answer_bytes": {
            "one": one_size,
            "large": large_size,
            "large_csv": large_csv_size,
            "sheet": sheet_size,
        },
        "server_peak_rss_mb": peak,
        "command": "PYTHONPATH=src .venv/bin/python bench/validate_page.py",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeat-large", type=int, default=1)
    args = parser.parse_args()
    result = measure(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    import run

    run.write_report()


if __name__ == "__main__":
    main()
