"""The validation page over HTTP (a real gdcat on an empty store): a document uploaded in each
format, or pasted, is validated against the chosen profile; the report names each record and
field with a hint that shows a correct value; unusable documents are said in words with their
line and column; the downloads (JSON, Turtle, CSV) hold the same results; nothing is stored;
an oversized upload is refused."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
import yaml
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph
from rdflib.namespace import RDFS, SH

from gdcat.model.fields import path_label
from gdcat.paths import model_dir
from gdcat.rdf.formats import FORMATS
from gdcat.ui.validate_page import PROFILE_CHOICES, guess_format
from gdcat.validate import PROFILE_NAMES

LIMIT = 400_000
VALID = model_dir() / "examples" / "valid"
INVALID = model_dir() / "examples" / "invalid"
EXPECTED: dict[str, str] = yaml.safe_load((INVALID / "EXPECTED.yaml").read_text())
TITLE = "Rare disease whole-genome sequencing cohort 2019-2023"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(
        tmp_path_factory.mktemp("validate"), datasets=None, max_document_bytes=LIMIT
    ) as server:
        yield server


def post(
    live: LiveGdcat,
    *,
    file: tuple[str, bytes] | None = None,
    path: str = "/validate",
    **fields: str,
) -> httpx.Response:
    files = {"file": file if file is not None else ("", b"")}
    return httpx.post(
        f"{live.url}{path}", data={"profile": "gdcat", **fields}, files=files, timeout=120
    )


def upload(live: LiveGdcat, path: Path, **fields: str) -> httpx.Response:
    return post(live, file=(path.name, path.read_bytes()), **fields)


def figure(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert found, f"no #{element_id} on the page"
    return int(re.sub(r"\D", "", unescape(found.group(1))))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def records(html: str) -> list[str]:
    return re.findall(r'<li class="record[^"]*">(.*?)</details>', html, re.S)


#: A field of the report: its label in the reader's language, then its steward path.
FIELD_TERM = r'<dt>(?:<span class="field-label">[^<]*</span> )?<code>([^<]*)</code></dt>'


def field_block(html: str, path: str) -> str:
    """The results shown under the field ``path``."""
    term = FIELD_TERM.replace("([^<]*)", re.escape(path))
    found = re.search(rf"{term}\s*<dd>(.*?)</dd>", html, re.S)
    assert found, f"no field {path} in the report"
    return found.group(1)


def fields_with(html: str, severity: str) -> set[str]:
    """The fields of the report with a result of ``severity`` (``violation``, ``warning``)."""
    found = set()
    for dt, dd in re.findall(rf"{FIELD_TERM}\s*<dd>(.*?)</dd>", html, re.S):
        if f'class="result {severity}"' in dd:
            found.add(unescape(dt))
    return found


# --- the form ---


def test_every_profile_is_offered_with_one_sentence(live: LiveGdcat) -> None:
    page = httpx.get(f"{live.url}/validate").text
    offered = set(re.findall(r'name="profile" value="([^"]+)"', page))
    levels = {variant for choice in PROFILE_CHOICES for _, variant in choice.levels}
    assert offered | levels == set(PROFILE_NAMES)
    for name in offered:
        sentence = re.search(rf'id="profile-{name}-help" class="help">([^<]+)<', page)
        assert sentence and sentence.group(1).count(".") >= 1, name
    # the level chooser speaks for HealthDCAT-AP's levels
    assert re.findall(r'<option value="(\w+)">', page.split('id="level"')[1].split("</select>")[0])
    # every format of the one table is in the chooser
    chooser = page.split('id="format"')[1].split("</select>")[0]
    assert set(re.findall(r'value="([^"]+)"', chooser)) == {"auto"} | {f.name for f in FORMATS}
    # the layout links the page
    assert f'href="{live.url}/validate"' in httpx.get(f"{live.url}/search").text


# --- each format ---


def _as(fmt: str) -> tuple[str, bytes]:
    graph = Graph().parse(VALID / "nl-rare-disease-wgs.ttl")
    serialisers = {
        "jsonld": ("json-ld", ".jsonld"),
        "rdfxml": ("pretty-xml", ".rdf"),
        "ntriples": ("nt11", ".nt"),
        "trig": ("trig", ".trig"),
    }
    name, extension = serialisers[fmt]
    return "nl-rare-disease-wgs" + extension, graph.serialize(format=name, encoding="utf-8")


@pytest.mark.parametrize("fmt", ["yaml", "turtle", "jsonld", "rdfxml", "ntriples", "trig"])
def test_an_upload_in_each_format_is_read_from_its_extension(live: LiveGdcat, fmt: str) -> None:
    if fmt == "yaml":
        file = ("nl-rare-disease-wgs.yaml", (VALID / "nl-rare-disease-wgs.yaml").read_bytes())
    elif fmt == "turtle":
        file = ("nl-rare-disease-wgs.ttl", (VALID / "nl-rare-disease-wgs.ttl").read_bytes())
    else:
        file = _as(fmt)
    answer = post(live, file=file, format="auto")
    assert answer.status_code == 200, text_of(answer.text)[:2000]
    page = answer.text
    assert figure(page, "count-records") == 1
    assert figure(page, "count-conforming") == 1
    assert figure(page, "count-violations") == 0
    assert TITLE in page
    assert "Every record conforms" in page


def test_pasted_text_is_validated_with_a_guessed_format(live: LiveGdcat) -> None:
    text = (INVALID / "missing-sequencing-type.yaml").read_text()
    answer = post(live, text=text, format="auto")
    assert answer.status_code == 200
    assert "(steward YAML)" in answer.text
    assert "sequencing_type" in fields_with(answer.text, "violation")
    # the text is kept in the form, and the guess shown in the chooser
    assert "missing-sequencing-type" in unescape(answer.text.split('id="text"')[1])
    assert '<option value="yaml" selected>' in answer.text


def test_an_explicit_format_overrides_the_extension(live: LiveGdcat) -> None:
    yaml_bytes = (VALID / "nl-rare-disease-wgs.yaml").read_bytes()
    answer = post(live, file=("record.txt", yaml_bytes), format="yaml")
    assert answer.status_code == 200
    assert figure(answer.text, "count-conforming") == 1
    unknown = post(live, file=("record.txt", yaml_bytes), format="auto")
    assert unknown.status_code == 400
    assert "choose it in the list" in unknown.text


# --- the report ---


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_invalid_example_shows_its_violation_by_field_with_a_hint(
    live: LiveGdcat, name: str
) -> None:
    answer = upload(live, INVALID / name)
    assert answer.status_code == 200
    page = answer.text
    assert figure(page, "count-violations") >= 1
    assert figure(page, "count-conforming") == 0
    assert EXPECTED[name] in fields_with(page, "violation")
    block = field_block(page, EXPECTED[name])
    hints = re.findall(r'<span class="hint">(.*?)</span></span>', block, re.S)
    assert hints and all("Consider" not in h for h in hints)
    # violations come before warnings within the record
    record = records(page)[0]
    first_warning = record.find('class="result warning"')
    assert first_warning == -1 or record.find('class="result violation"') < first_warning


def test_a_missing_field_hint_lists_the_allowed_terms_with_labels(live: LiveGdcat) -> None:
    page = upload(live, INVALID / "missing-sequencing-type.yaml").text
    hint = text_of(field_block(page, "sequencing_type"))
    assert "WGS (Whole genome sequencing)" in hint
    assert "WES (Whole exome sequencing)" in hint


def test_malformed_turtle_is_said_with_its_line_and_column(live: LiveGdcat) -> None:
    text = "@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/d>\n  dct:title .\n"
    answer = post(live, text=text, format="turtle")
    assert answer.status_code == 400
    assert "The document cannot be read as Turtle." in answer.text
    assert re.search(r'id="problem-location">Line 3, column \d+<', answer.text)
    assert 'id="summary"' not in answer.text


def test_the_report_is_in_the_readers_language(live: LiveGdcat) -> None:
    answer = post(live, path="/validate?lang=de", file=("x.ttl", b"<a> <b> ."), format="auto")
    assert answer.status_code == 400
    assert "Zeile 1, Spalte" in answer.text
    page = httpx.get(f"{live.url}/validate?lang=fr").text
    assert "Valider" in page


def test_the_report_groups_by_the_fields_names_in_the_readers_language(live: LiveGdcat) -> None:
    path = INVALID / "missing-sequencing-type.yaml"
    page = post(live, file=(path.name, path.read_bytes()), path="/validate?lang=nl").text
    terms = dict(
        (code, unescape(label))
        for label, code in re.findall(
            r'<dt><span class="field-label">([^<]*)</span> <code>([^<]*)</code></dt>', page
        )
    )
    assert terms["sequencing_type"] == "Type sequencing"
    for code, label in terms.items():
        assert label == path_label(code, "nl"), code
    english = upload(live, path).text
    assert '<span class="field-label">Sequencing type</span> <code>sequencing_type</code>' in (
        english
    )


# --- downloads ---


def _results_of_json(body: str) -> list[tuple[str, str, str, str]]:
    report = json.loads(body)
    return sorted(
        (record["dataset"], r["path"], r["severity"], r["message"])
        for record in report["records"]
        for r in record["results"]
    )


def _results_of_csv(body: str) -> list[tuple[str, str, str, str]]:
    rows = list(csv.DictReader(io.StringIO(body)))
    return sorted((r["record"], r["field"], r["severity"], r["message"]) for r in rows)


def _results_of_turtle(body: str) -> list[tuple[str, str, str, str]]:
    graph = Graph().parse(data=body, format="turtle")
    out = []
    for result in graph.subjects(None, SH.ValidationResult):
        severity = graph.value(result, SH.resultSeverity)
        out.append(
            (
                str(graph.value(result, RDFS.seeAlso) or ""),
                str(graph.value(result, RDFS.label) or ""),
                str(severity).rsplit("#", 1)[-1],
                str(graph.value(result, SH.resultMessage)),
            )
        )
    return sorted(out)


def test_the_downloads_hold_the_same_results(live: LiveGdcat) -> None:
    example = INVALID / "distribution-without-access-url.yaml"
    bodies = {}
    for form in ("json", "csv", "turtle"):
        answer = upload(live, example, download=form)
        assert answer.status_code == 200
        assert "attachment" in answer.headers["content-disposition"]
        bodies[form] = answer.text
    assert answer.headers["content-type"].startswith("text/turtle")
    from_json = _results_of_json(bodies["json"])
    assert from_json == _results_of_csv(bodies["csv"]) == _results_of_turtle(bodies["turtle"])
    assert ("distribution.access_url", "Violation") in {(r[1], r[2]) for r in from_json}
    summary = json.loads(bodies["json"])["summary"]
    page = upload(live, example).text
    assert summary["violations"] == figure(page, "count-violations")
    assert summary["warnings"] == figure(page, "count-warnings")
    assert len(from_json) == page.count('<li class="result ')


def test_the_report_pages_download_buttons_post_the_same_document_again(
    live: LiveGdcat,
) -> None:
    example = INVALID / "negative-individuals.yaml"
    page = upload(live, example, profile="healthdcat-ap-r8", level="PUBLIC").text
    form = page.split('<form class="downloads"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    assert hidden["profile"] == "healthdcat-ap-r8" and hidden["level"] == "PUBLIC"
    again = httpx.post(f"{live.url}/validate", data={**hidden, "download": "csv"}, timeout=120)
    assert again.status_code == 200
    direct = upload(live, example, profile="healthdcat-ap-r8", level="PUBLIC", download="csv")
    # the same results (blank nodes' labels differ from one parse to the next)
    assert _results_of_csv(again.text) == _results_of_csv(direct.text)
    assert (
        "negative-individuals-healthdcat-ap-r8-public-report.csv"
        in (again.headers["content-disposition"])
    )


def test_csv_cells_never_start_a_formula(live: LiveGdcat) -> None:
    text = (INVALID / "missing-title.yaml").read_text()
    text = re.sub(r"(?m)^identifier:.*$", "", text) + "\nidentifier: '=HYPERLINK(\"x\")'\n"
    body = post(live, text=text, format="yaml", profile="dcat-ap-3", download="csv").text
    for row in csv.reader(io.StringIO(body)):
        assert all(not cell.startswith("=") for cell in row), row


# --- nothing stored, limits ---


def test_nothing_is_written_to_the_store(live: LiveGdcat) -> None:
    before = (live.store.generation, live.store.count_triples(), live.store.list_records())
    upload(live, VALID / "nl-rare-disease-wgs.yaml")
    upload(live, INVALID / "missing-title.yaml", download="json")
    after = (live.store.generation, live.store.count_triples(), live.store.list_records())
    assert before == after


def test_an_oversized_upload_is_refused_with_a_413_page(live: LiveGdcat) -> None:
    big = b"# padding\n" * (LIMIT // 10 + 1000) + (VALID / "nl-rare-disease-wgs.yaml").read_bytes()
    answer = post(live, file=("big.yaml", big))
    assert answer.status_code == 413
    assert "larger than the 400 kB this catalogue validates" in text_of(answer.text)
    # far over the limit: refused from its declared length, before the form is read
    huge = post(live, file=("huge.yaml", b"x" * (LIMIT * 2)))
    assert huge.status_code == 413
    # the server still answers
    assert httpx.get(f"{live.url}/validate").status_code == 200


def test_a_form_without_a_document_says_what_to_do(live: LiveGdcat) -> None:
    answer = post(live)
    assert answer.status_code == 400
    assert "Choose a file or paste a document" in answer.text


def test_many_records_start_collapsed(live: LiveGdcat) -> None:
    base = yaml.safe_load((VALID / "nl-rare-disease-wgs.yaml").read_text())
    documents = []
    for n in range(25):
        record = dict(base, id=f"https://nl.gdcat.example/dataset/copy-{n}")
        if n % 5 == 0:
            record.pop("title")
        documents.append(record)
    body = yaml.safe_dump(documents, allow_unicode=True).encode()
    page = post(live, file=("many.yaml", body)).text
    assert figure(page, "count-records") == 25
    assert figure(page, "count-conforming") == 20
    assert "<details open>" not in page
    # the records with violations come first
    failing = [i for i, r in enumerate(records(page)) if 'class="result violation"' in r]
    assert failing == [0, 1, 2, 3, 4]


# --- the format guess ---


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("@prefix dct: <http://purl.org/dc/terms/> .", "turtle"),
        ('{"@context": {}}', "jsonld"),
        ('<?xml version="1.0"?><rdf:RDF/>', "rdfxml"),
        ("<https://a.example/s> <https://a.example/p> <https://a.example/o> .", "ntriples"),
        ("id: https://a.example/d\ntitle: x\n", "yaml"),
        ("- id: https://a.example/d\n", "yaml"),
    ],
)
def test_guess_format(text: str, name: str) -> None:
    assert guess_format(text).name == name


def test_a_steward_yaml_mistake_is_said_with_its_line(live: LiveGdcat) -> None:
    text = "id: https://a.example/dataset/1\ntitle: Exomes\nsequencing_typ: WES\n"
    answer = post(live, text=text, format="auto")
    assert answer.status_code == 400
    assert "The document cannot be read as steward YAML." in answer.text
    assert re.search(r'id="problem-location">Line 3\b', answer.text)
    assert "sequencing_typ" in answer.text


def test_an_unknown_profile_is_refused_in_words(live: LiveGdcat) -> None:
    answer = upload(live, VALID / "nl-rare-disease-wgs.yaml", profile="no-such-profile")
    assert answer.status_code == 400
    assert "Choose one of the profiles in the list." in answer.text


def test_a_spreadsheets_results_name_their_sheet_row_and_column(live: LiveGdcat) -> None:
    # the template's example row, its count made negative: the page says where it was written
    import openpyxl

    from gdcat.model.template import template_xlsx

    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["datasets"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("number_of_exomes") + 1, value=-12)
    data = io.BytesIO()
    book.save(data)
    page = post(live, file=("exomes.xlsx", data.getvalue()))
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Written in: sheet datasets, row 2, column Z (number_of_exomes)" in text
    table = post(live, file=("exomes.xlsx", data.getvalue()), download="csv").text
    rows = list(csv.DictReader(io.StringIO(table)))
    (wrong,) = [r for r in rows if r["severity"] == "Violation"]
    assert wrong["location"] == "exomes.xlsx, sheet datasets, row 2, column Z (number_of_exomes)"
