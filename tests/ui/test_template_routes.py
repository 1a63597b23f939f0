"""The template downloads: ``/template.xlsx`` and ``/template.csv`` are the files of
``gdcat template``, offered as attachments, and read back as the example record."""

from __future__ import annotations

import io

import httpx
import openpyxl
from live_gdcat import LiveGdcat
from rdflib.compare import isomorphic

from gdcat.model.steward import load_steward_yaml
from gdcat.model.template import EXAMPLE, template_csv, template_xlsx
from gdcat.paths import model_dir
from gdcat.rdf import parse_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_templates_download_as_attachments(gdcat_server: LiveGdcat) -> None:
    example = load_steward_yaml((model_dir() / "examples" / "valid" / EXAMPLE).read_text(), "x")
    for name, media, built in (
        ("template.xlsx", XLSX, template_xlsx),
        ("template.csv", "text/csv", template_csv),
    ):
        answer = httpx.get(f"{gdcat_server.url}/{name}")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)
        assert answer.headers["content-disposition"] == f'attachment; filename="gdcat-{name}"'
        assert answer.content == built()
        graph = parse_bytes(answer.content, name.rsplit(".", 1)[1], source=name)
        assert isomorphic(graph, example)


def test_the_workbook_is_in_the_readers_language(gdcat_server: LiveGdcat) -> None:
    answer = httpx.get(f"{gdcat_server.url}/template.xlsx", params={"lang": "de"}, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="gdcat-template-de.xlsx"'
    assert answer.content == template_xlsx("de") != template_xlsx()
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book["instructions"]
    assert sheet["A1"].value == "So füllen Sie diese Vorlage aus"
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r[0]}
    assert rows["number_of_unique_individuals"][1] == "Anzahl eindeutiger Personen"
    # the column names stay the steward field names
    english = openpyxl.load_workbook(io.BytesIO(template_xlsx()))["datasets"]
    assert [c.value for c in book["datasets"][1]] == [c.value for c in english[1]]
    # Accept-Language chooses too
    french = httpx.get(
        f"{gdcat_server.url}/template.xlsx", headers={"Accept-Language": "fr"}, timeout=60
    )
    assert french.content == template_xlsx("fr")
    assert "Accept-Language" in french.headers["vary"]
