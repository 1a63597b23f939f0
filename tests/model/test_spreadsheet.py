"""Steward spreadsheets (XLSX, CSV) as a format: a filled template is the graph of the YAML it
came from, errors name the sheet, row and column, and a workbook is checked before it is
read (zip bombs, DTDs, cells)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from gdcat.errors import DocumentTooLargeError, InputError, RdfSyntaxError, StewardDocumentError
from gdcat.model.spreadsheet import row_of
from gdcat.model.steward import dump_steward_yaml, load_steward_yaml
from gdcat.model.template import EXAMPLE, template_columns, template_csv, template_xlsx
from gdcat.rdf import format_for_media_type, format_for_path, parse_bytes, split_records
from gdcat.rdf.parse import ParseLimits

VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
#: the valid examples one row can hold (the others describe several tables of variables)
ONE_ROW = (
    "be-rare-disease-wes-series",
    "de-long-read-genomes",
    "ee-biobank-genotyping-arrays",
    "es-clinical-exomes-not-shareable",
    "fr-cancer-wgs-tumour-normal",
    "pt-paediatric-exomes",
    "se-allele-frequencies-beacon",
)


def mappings(names: tuple[str, ...] = ONE_ROW) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in names:
        loaded = yaml.safe_load((VALID / f"{name}.yaml").read_text(encoding="utf-8"))
        out.extend(loaded if isinstance(loaded, list) else [loaded])
    return out


def yaml_graph(names: tuple[str, ...] = ONE_ROW) -> Graph:
    graph = Graph()
    for name in names:
        text = (VALID / f"{name}.yaml").read_text(encoding="utf-8")
        graph += load_steward_yaml(text, name)
    return graph


def sheet_rows(items: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    rows = [row_of(item) for item in items]
    headers = list(dict.fromkeys(h for row in rows for h in row))
    return headers, [[row.get(h) for h in headers] for row in rows]


def xlsx(headers: list[str], rows: list[list[Any]], sheet: str = "datasets") -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "instructions"
    first["A1"] = "read me first"
    data = book.create_sheet(sheet)
    data.append(headers)
    for row in rows:
        data.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return out.getvalue().encode()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_filled_sheet_is_the_graph_of_the_yaml_it_came_from(fmt: str) -> None:
    headers, rows = sheet_rows(mappings())
    data = xlsx(headers, rows) if fmt == "xlsx" else csv_bytes(headers, rows)
    graph = parse_bytes(data, fmt, source=f"examples.{fmt}")
    assert len(rows) == len(mappings()) == 9 and isomorphic(graph, yaml_graph())
    records = split_records(graph, source=f"examples.{fmt}")
    by_iri = {r.iri: r for r in records}
    sheet = "sheet datasets, " if fmt == "xlsx" else ""
    for number, item in enumerate(mappings(), start=2):
        record = by_iri[item["id"]]
        assert str(record.locate()) == f"examples.{fmt}, {sheet}row {number}"
        assert record.source == f"examples.{fmt}"  # what the store keeps as its source


def test_yaml_to_row_to_yaml_keeps_every_field() -> None:
    for name in ONE_ROW:
        headers, rows = sheet_rows(mappings((name,)))
        graph = parse_bytes(xlsx(headers, rows), "xlsx", source="one.xlsx")
        back = canonical(yaml.safe_load(dump_steward_yaml(graph)))
        assert back == canonical(yaml.safe_load(dump_steward_yaml(yaml_graph((name,))))), name


def canonical(value: Any) -> Any:
    """A YAML value with its lists in a stable order (the dump orders values as it finds
    them in the graph)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=repr)
    return value


def test_the_template_round_trips_its_example_row() -> None:
    example = load_steward_yaml((VALID / EXAMPLE).read_text(encoding="utf-8"), EXAMPLE)
    from_xlsx = parse_bytes(template_xlsx(), "xlsx", source="gdcat-template.xlsx")
    from_csv = parse_bytes(template_csv(), "csv", source="gdcat-template.csv")
    assert isomorphic(from_xlsx, example) and isomorphic(from_csv, example)


def test_the_template_has_drop_downs_an_instructions_sheet_and_help() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["datasets", "instructions", "lists"]
    assert book["lists"].sheet_state == "hidden"
    sheet = book["datasets"]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.header for c in template_columns()]
    assert {"id", "title", "sequencing_type", "readiness", "title@es"} <= set(headers)
    column = headers.index("sequencing_type") + 1
    comment = sheet.cell(row=1, column=column).comment
    assert comment is not None and "required" in comment.text
    letter = openpyxl.utils.get_column_letter(column)
    (validation,) = [
        v
        for v in sheet.data_validations.dataValidation
        if f"{letter}2" in str(v.sqref).split(":")[0]
    ]
    assert validation.type == "list" and validation.formula1.startswith("'lists'!$")
    lists = book["lists"]
    list_column = validation.formula1.split("!$")[1].split("$")[0]
    values = [c.value for c in lists[list_column][1:]]
    assert "WES — Whole exome sequencing" in values or any(
        str(v).startswith("WES — ") for v in values
    )
    text = " ".join(str(c.value) for c in book["instructions"]["A"] if c.value)
    assert "field@language" in text and " | " in text


def test_a_drop_down_entry_reads_as_its_code() -> None:
    data = csv_bytes(
        ["id", "title", "sequencing_type", "readiness", "sharing_barrier"],
        [
            [
                "https://x.example/d",
                "A dataset",
                "WES — Whole exome sequencing",
                "NOT_READY — Not ready",
                "CONSENT — Consent | ETHICS_APPROVAL",
            ]
        ],
    )
    graph = parse_bytes(data, "csv", source="picked.csv")
    text = dump_steward_yaml(graph)
    assert "sequencing_type: WES" in text and "readiness: NOT_READY" in text
    assert "- CONSENT" in text and "- ETHICS_APPROVAL" in text


def test_spreadsheets_are_formats_like_the_others() -> None:
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert format_for_media_type(xlsx_type).name == "xlsx"
    assert format_for_media_type("text/csv; charset=utf-8").name == "csv"
    assert format_for_path("filled.XLSX").name == "xlsx"
    assert format_for_path("filled.csv").name == "csv"


# --------------------------------------------------------------------------- errors


def test_an_unknown_column_is_named_by_sheet_row_and_column() -> None:
    data = xlsx(["id", "title", "sequencing_typ"], [["https://x.example/d", "T", "WES"]])
    with pytest.raises(StewardDocumentError) as caught:
        parse_bytes(data, "xlsx", source="bad.xlsx")
    assert str(caught.value).startswith(
        "bad.xlsx, sheet datasets, row 1, column C (sequencing_typ): unknown field"
    )
    assert "did you mean 'sequencing_type'" in str(caught.value)


def test_an_unreadable_value_is_named_by_its_cell() -> None:
    data = csv_bytes(
        ["id", "title", "issued"],
        [["https://x.example/a", "A", "2020-02-01"], ["https://x.example/b", "B", "2020-02-30"]],
    )
    with pytest.raises(StewardDocumentError) as caught:
        parse_bytes(data, "csv", source="dates.csv")
    location = caught.value.location
    assert location is not None
    assert (location.line, location.column, location.field) == (3, 3, "issued")
    assert str(caught.value).startswith("dates.csv, row 3, column C (issued): issued: cannot read")


def test_a_language_on_a_field_without_languages_is_refused() -> None:
    data = csv_bytes(["id", "number_of_genomes@de"], [["https://x.example/a", "1"]])
    with pytest.raises(StewardDocumentError, match=r"row 1, column B .*not a text in several"):
        parse_bytes(data, "csv", source="lang.csv")


def test_a_row_without_id_names_its_row() -> None:
    data = csv_bytes(["id", "title"], [["https://x.example/a", "A"], ["", "B"]])
    with pytest.raises(StewardDocumentError, match=r"^nameless\.csv, row 3: a Dataset needs an id"):
        parse_bytes(data, "csv", source="nameless.csv")


# --------------------------------------------------------------------------- limits


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"<" + b"x" * 5_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_bytes(bomb, "xlsx", source="bomb.xlsx", max_bytes=1_000_000)
    assert caught.value.setting == "max_document_bytes"
    assert "unpacks to 5,000,001 bytes, over the limit of 1,000,000" in str(caught.value)


def test_xml_with_a_document_type_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet>&lol2;</worksheet>'
    )
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": laughs})
    with pytest.raises(RdfSyntaxError, match="declares a document type or entities"):
        parse_bytes(data, "xlsx", source="laughs.xlsx")


def test_a_file_that_is_not_a_workbook_is_unusable_input() -> None:
    with pytest.raises(RdfSyntaxError, match="not an XLSX workbook"):
        parse_bytes(b"id,title\n", "xlsx", source="wrong.xlsx")
    with pytest.raises(InputError, match="not UTF-8"):
        parse_bytes("id,títle\n".encode("latin-1"), "csv", source="latin.csv")


def test_cells_past_the_limit_are_refused() -> None:
    rows = [[f"https://x.example/{n}", f"T{n}", "WES"] for n in range(60)]
    limits = ParseLimits(max_document_triples=100)
    with pytest.raises(DocumentTooLargeError, match="more than 100 cells") as caught:
        parse_bytes(csv_bytes(["id", "title", "sequencing_type"], rows), "csv", limits=limits)
    assert caught.value.setting == "max_document_triples"
    # a workbook whose one far-away cell would make its reader fill a million empty rows
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "datasets"
    sheet.append(["id", "title"])
    sheet.cell(row=1_000_000, column=1, value="https://x.example/far")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DocumentTooLargeError, match="cells"):
        parse_bytes(out.getvalue(), "xlsx", limits=ParseLimits(max_document_triples=10_000))
