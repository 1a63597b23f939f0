"""The steward fields' labels and help texts (and the spreadsheet template's words) in every
shipped language: the catalogues beside the model hold every text of the model and nothing
else, each translated, placeholders kept; a text nobody translated stays English; the
template in German keeps the steward field names as its columns."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from rdflib.compare import isomorphic

from gdcat.cli import main
from gdcat.model import fields as model_fields
from gdcat.model import translations
from gdcat.model.template import template_xlsx
from gdcat.paths import project_root
from gdcat.rdf import parse_bytes
from gdcat.ui.i18n import LANGUAGES as PAGE_LANGUAGES

FIX = "run `python -m gdcat.model.translations`, then translate the new entries"


def test_the_fields_are_translated_into_every_language_of_the_pages() -> None:
    assert set(translations.LANGUAGES) == set(PAGE_LANGUAGES) - {"en"}


def test_the_template_lists_every_text_of_the_model() -> None:
    wanted = set(translations.catalogue_texts())
    with translations.template_path().open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template == wanted, f"model/locale/fields.pot is out of date: {FIX}"


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_every_field_has_a_translation(lang: str) -> None:
    catalogue = {m.id: m for m in translations.read_catalogue(lang) if m.id}
    wanted = translations.catalogue_texts()
    missing = [t for t in wanted if t not in catalogue]
    assert not missing, f"{lang}: texts missing from the catalogue ({FIX}): {missing[:5]}"
    untranslated = [t for t in wanted if not catalogue[t].string or catalogue[t].fuzzy]
    assert not untranslated, f"{lang}: untranslated texts: {untranslated[:5]}"
    stale = sorted(set(catalogue) - set(wanted))
    assert not stale, f"{lang}: texts the model no longer has ({FIX}): {stale[:5]}"
    for text in wanted:
        placeholders = set(re.findall(r"%\(\w+\)s", text))
        assert set(re.findall(r"%\(\w+\)s", str(catalogue[text].string))) == placeholders, text
    # every label and help of every field, at every depth, reads in the language
    for class_name in model_fields.STEWARD_CLASSES:
        for item in model_fields.flatten(model_fields.fields(class_name, lang)):
            assert item.label_lang == lang, (class_name, item.path)
            assert item.help_lang == lang, (class_name, item.path)


def test_fields_in_german_french_and_dutch() -> None:
    count = "number_of_unique_individuals"
    labels = {lang: model_fields.field_at(count, lang=lang) for lang in ("de", "fr", "nl")}
    assert {lang: f.label for lang, f in labels.items() if f} == {
        "de": "Anzahl eindeutiger Personen",
        "fr": "Nombre d'individus uniques",
        "nl": "Aantal unieke personen",
    }
    english = model_fields.field_at(count)
    assert english is not None and english.label == "Number of unique individuals"
    assert english.label_lang == "en"
    assert model_fields.path_label("distribution.access_url", "nl") == "Distributie › Toegangs-URL"
    assert model_fields.slot_label("sequencing_type", "fr") == "Type de séquençage"
    # the names and kinds stay: only the words change
    assert [(f.path, f.kind) for f in model_fields.fields(lang="de")] == [
        (f.path, f.kind) for f in model_fields.fields()
    ]


@pytest.fixture
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = project_root()
    shutil.copytree(root / "model", tmp_path / "model")
    for name in ("ontologies", "shapes"):
        (tmp_path / name).symlink_to(root / name)
    monkeypatch.setenv("GDCAT_HOME", str(tmp_path))
    model_fields.reset()
    yield tmp_path
    monkeypatch.delenv("GDCAT_HOME")
    model_fields.reset()


def test_a_slot_without_a_translation_stays_english(model_copy: Path) -> None:
    path = model_copy / "model" / "genomics.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "\nslots:\n",
        "\nslots:\n"
        "  biobank_accession:\n"
        "    slot_uri: gdcat:biobankAccession\n"
        "    range: string\n"
        "    title: Biobank accession\n"
        "    description: The accession of the samples in the biobank that holds them.\n",
        1,
    )
    text = text.replace(
        "      - beacon\n    slot_usage:\n",
        "      - beacon\n      - biobank_accession\n    slot_usage:\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    model_fields.reset()
    added = model_fields.field_at("biobank_accession", lang="nl")
    assert added is not None
    assert (added.label, added.label_lang) == ("Biobank accession", "en")
    assert added.help_lang == "en"
    assert model_fields.slot_label("biobank_accession", "nl") == "Biobank accession"
    # the shipped language's check names it, and updating the catalogues asks for it
    assert "Biobank accession" in translations.catalogue_texts()
    translations.update_catalogues(translations.catalogue_texts())
    entry = translations.read_catalogue("nl").get("Biobank accession")
    assert entry is not None and not entry.string
    kept = translations.read_catalogue("nl").get("Number of unique individuals")
    assert kept is not None and kept.string == "Aantal unieke personen"
    # a translation added to the catalogue reaches the fields
    catalogue = translations.read_catalogue("nl")
    catalogue.get("Biobank accession").string = "Biobanknummer"  # type: ignore[union-attr]
    translations._write(catalogue, translations.catalogue_path("nl"))
    model_fields.reset()
    added = model_fields.field_at("biobank_accession", lang="nl")
    assert added is not None and (added.label, added.label_lang) == ("Biobanknummer", "nl")


def test_the_template_in_german(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("de")))
    english = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    headers = [c.value for c in book["datasets"][1]]
    assert headers == [c.value for c in english["datasets"][1]]
    assert "number_of_unique_individuals" in headers
    column = headers.index("number_of_unique_individuals") + 1
    comment = book["datasets"].cell(row=1, column=column).comment
    assert comment is not None
    assert comment.text.startswith("Anzahl eindeutiger Personen (empfohlen)")
    instructions = book["instructions"]
    rows = [r for r in instructions.iter_rows(values_only=True) if r[0]]
    assert rows[0][0] == "So füllen Sie diese Vorlage aus"
    table = rows.index(next(r for r in rows if r[0] == "Spalte"))
    assert rows[table][:3] == ("Spalte", "Bezeichnung", "Verbindlichkeit")
    by_column = {r[0]: r for r in rows[table + 1 :]}
    assert by_column["number_of_unique_individuals"][1:4] == (
        "Anzahl eindeutiger Personen",
        "empfohlen",
        "nein",
    )
    assert str(by_column["sequencing_type"][5]).startswith("Die Sequenzier- oder Analysetechnik")
    # the German template reads back as the English one does
    assert isomorphic(
        parse_bytes(template_xlsx("de"), "xlsx", source="de.xlsx"),
        parse_bytes(template_xlsx(), "xlsx", source="en.xlsx"),
    )
    # and the command line writes it
    target = tmp_path / "vorlage.xlsx"
    result = CliRunner().invoke(main, ["template", "--lang", "de", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == template_xlsx("de")
