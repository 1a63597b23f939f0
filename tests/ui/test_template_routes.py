"""The template downloads: ``/template.xlsx`` and ``/template.csv`` are the files of
``gdcat template``, offered as attachments, and read back as the example record."""

from __future__ import annotations

import httpx
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
