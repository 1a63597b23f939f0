"""``/api/inventory`` as CSV: the same numbers as the JSON, negotiated by ``Accept`` or
``?format=csv``, as a download; and ``gdcat inventory --format csv``, written by the same code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from live_gdcat import LiveGdcat

from gdcat.api.search_examples import INVENTORY_CSV_EXAMPLE
from gdcat.cli import main
from gdcat.store.inventory import ACCESS_LEVELS, READINESS_LEVELS, SEQUENCING_TYPES

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
UNITS = {"WGS": "genomes", "LONGREAD": "genomes", "WES": "exomes"}


def expected_row(row: dict[str, Any]) -> dict[str, str]:
    """The CSV row a JSON inventory row should give (every figure, as text)."""
    out = {"country": row["country"] or ""}
    for key in ("datasets", "individuals", "genomes", "exomes", "samples"):
        out[key] = str(row[key])
    for code in SEQUENCING_TYPES:
        unit = UNITS.get(code, "samples")
        out[f"{code.lower()}_{unit}"] = str(row["by_sequencing_type"].get(code, 0))
        out[f"{code.lower()}_datasets"] = str(row["datasets_by_sequencing_type"].get(code, 0))
    for level in ACCESS_LEVELS:
        out[f"{level.lower()}_datasets"] = str(row["by_access"].get(level, 0))
    for level in READINESS_LEVELS:
        out[f"{level.lower()}_datasets"] = str(row["by_readiness"].get(level, 0))
    for key in (
        "shareable",
        "not_shareable",
        "shareable_genomes",
        "linked_clinical",
        "no_linked_clinical",
    ):
        out[key] = str(row[key])
    return out


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_the_numbers_of_the_json(gdcat_server: LiveGdcat) -> None:
    with httpx.Client(base_url=gdcat_server.url, timeout=30) as client:
        as_json = client.get("/api/inventory").json()
        answer = client.get("/api/inventory", headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="gdcat-inventory.csv"'
    assert "accept" in answer.headers["vary"].lower()
    assert answer.text.endswith("\r\n")
    rows = parse_csv(answer.text)
    expected = [expected_row(r) for r in [*as_json["countries"], as_json["totals"]]]
    assert len(as_json["countries"]) >= 5  # the demo federation has several countries
    assert rows == expected
    assert rows[-1]["country"] == "TOTAL"
    assert int(rows[-1]["genomes"]) == sum(int(r["genomes"]) for r in rows[:-1]) > 0
    # The OpenAPI example has the real columns, in order.
    assert INVENTORY_CSV_EXAMPLE.split("\r\n")[0] == answer.text.split("\r\n")[0]


def test_format_parameter_overrides_accept(gdcat_server: LiveGdcat) -> None:
    with httpx.Client(base_url=gdcat_server.url, timeout=30) as client:
        csv_answer = client.get("/api/inventory?format=csv", headers={"Accept": "application/json"})
        json_answer = client.get("/api/inventory?format=json", headers={"Accept": "text/csv"})
        plain = client.get("/api/inventory")
        unknown = client.get("/api/inventory?format=xlsx")
        refused = client.get("/api/inventory", headers={"Accept": "application/xml"})
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert parse_csv(csv_answer.text)[-1]["country"] == "TOTAL"
    assert json_answer.headers["content-type"] == "application/json"
    assert plain.headers["content-type"] == "application/json"  # no preference: JSON, as before
    assert "totals" in plain.json()
    assert unknown.status_code == 422
    assert refused.status_code == 406
    assert "text/csv" in refused.json()["detail"]


def test_openapi_declares_the_csv_form(gdcat_server: LiveGdcat) -> None:
    document = httpx.get(gdcat_server.url + "/openapi.json", timeout=30).json()
    operation = document["paths"]["/api/inventory"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    (param,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert param["in"] == "query"
    assert {"406", "400"} <= set(operation["responses"])


def test_cli_writes_the_same_csv(tmp_path: Path) -> None:
    store = tmp_path / "store"
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("nl-rare-disease-wgs.yaml", "es-clinical-exomes-not-shareable.ttl"):
        (docs / name).write_bytes((VALID / name).read_bytes())
    runner = CliRunner()
    loaded = runner.invoke(main, ["load", str(docs), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    as_csv = runner.invoke(main, ["inventory", "--store", str(store), "--format", "csv"])
    as_json = runner.invoke(main, ["inventory", "--store", str(store), "--format", "json"])
    assert as_csv.exit_code == 0 and as_json.exit_code == 0
    inventory = json.loads(as_json.output)
    rows = parse_csv(as_csv.output)
    assert rows == [expected_row(r) for r in [*inventory["countries"], inventory["totals"]]]
    assert [r["country"] for r in rows] == ["ESP", "NLD", "TOTAL"]
