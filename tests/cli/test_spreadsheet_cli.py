"""A steward's spreadsheet from the command line: ``gdcat template``, ``gdcat validate`` naming
the wrong rows and columns of a 20-row workbook, and ``gdcat publish`` to a running gdcat
publishing the 20 datasets in one step once they are fixed (none before)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result
from live_gdcat import LiveGdcat, start_gdcat

from gdcat.cli import main
from gdcat.model.spreadsheet import row_of
from gdcat.publish import TokenFile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "model" / "examples" / "valid" / "es-clinical-exomes-not-shareable.yaml"
ROWS = 20
#: (sheet row, column header, wrong value): a negative count, an unknown sequencing type, a
#: required field left empty
WRONG = ((6, "number_of_exomes", -3), (10, "sequencing_type", "NANOPORE"), (15, "readiness", None))


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def workbook(path: Path, *, wrong: bool) -> list[str]:
    """A 20-row workbook of datasets made from the example (three rows wrong if ``wrong``);
    returns the header."""
    base = row_of(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    headers = list(base)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "datasets"
    sheet.append(headers)
    for n in range(1, ROWS + 1):
        row: dict[str, Any] = dict(base)
        row["id"] = f"https://es.gdcat.example/dataset/hospital-exomes-{n:02d}"
        row["identifier"] = f"ES-HOSP-WES-{n:02d}"
        row["title"] = f"Hospital clinical diagnostic exomes, cohort {n}"
        for sheet_row, header, value in WRONG:
            if wrong and sheet_row == n + 1:
                row[header] = value
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return headers


def column_of(headers: list[str], header: str) -> str:
    letter: str = openpyxl.utils.get_column_letter(headers.index(header) + 1)
    return letter


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveGdcat, str]]:
    with start_gdcat(tmp_path_factory.mktemp("sheet-server"), datasets=None) as live:
        _, token = TokenFile(live.settings.tokens_file).create("es", country="ESP")
        yield live, token


def test_validate_names_the_three_wrong_rows_and_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "cohorts.xlsx"
    headers = workbook(path, wrong=True)
    result = run("validate", str(path))
    assert result.exit_code == 1, result.output
    assert "20 record(s) in 1 file(s): 17 conform, 3 with violations" in result.output
    located = set(
        re.findall(r"at: (.*, sheet datasets, row \d+, column [A-Z]+ \(\w+\))", result.output)
    )
    for sheet_row, header, _ in WRONG:
        column = column_of(headers, header)
        where = f"{path}, sheet datasets, row {sheet_row}, column {column} ({header})"
        assert where in located, result.output
    violation_rows = {
        int(m)
        for m in re.findall(r"\[Violation\][^\n]*\n[^\n]*\n\s+at: [^\n]*row (\d+)", result.output)
    }
    assert violation_rows == {row for row, _, _ in WRONG}


def test_publish_refuses_the_document_then_publishes_the_twenty(
    tmp_path: Path, server: tuple[LiveGdcat, str]
) -> None:
    live, token = server
    path = tmp_path / "cohorts.xlsx"
    headers = workbook(path, wrong=True)
    env = {"ES_TOKEN": token}
    args = ("publish", str(path), "--node", "es", "--server", live.url, "--token-env", "ES_TOKEN")
    refused = run(*args, env=env)
    assert refused.exit_code == 1, refused.output
    assert (
        f"refused {path}: 3 of its 20 dataset(s) refused, so none was published" in refused.output
    )
    for sheet_row, header, _ in WRONG:
        assert f"{path}, sheet datasets, row {sheet_row}:" in refused.output
        assert f"{header} (column {column_of(headers, header)})" in refused.output
    assert live.store.record_sources("es") == {}
    workbook(path, wrong=False)
    published = run(*args, env=env)
    assert published.exit_code == 0, published.output
    assert f"published {path}: 20 dataset(s)" in published.output
    assert len(live.store.record_sources("es")) == ROWS
    listed = httpx.get(f"{live.url}/api/nodes/es/datasets").json()
    assert listed["total"] == ROWS and all(item["published"] for item in listed["items"])


def test_publish_without_a_token_or_a_server_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(run_template("csv", tmp_path))
    args = ("publish", str(path), "--node", "es", "--server", "http://127.0.0.1:9", "--token-env")
    missing = run(*args, "NO_SUCH_VARIABLE", env={"NO_SUCH_VARIABLE": ""})
    assert missing.exit_code == 2 and "holds no token" in missing.output
    unreachable = run(*args, "ES_TOKEN", env={"ES_TOKEN": "x"})
    assert unreachable.exit_code == 2 and "cannot reach http://127.0.0.1:9" in unreachable.output
    unknown = run(
        "publish",
        str(tmp_path / "notes.txt"),
        "--node",
        "es",
        "--server",
        "http://127.0.0.1:9",
        "--token-env",
        "ES_TOKEN",
        env={"ES_TOKEN": "x"},
    )
    assert unknown.exit_code == 2 and "cannot tell the RDF format" in unknown.output


def run_template(fmt: str, tmp_path: Path) -> bytes:
    target = tmp_path / f"template.{fmt}"
    result = run("template", "--format", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    return target.read_bytes()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_validates_as_written(fmt: str, tmp_path: Path) -> None:
    run_template(fmt, tmp_path)
    result = run("validate", str(tmp_path / f"template.{fmt}"))
    assert result.exit_code == 0, result.output
    assert "1 record(s) in 1 file(s): 1 conform" in result.output
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO((tmp_path / "template.xlsx").read_bytes()))
        assert book.sheetnames[0] == "datasets"
