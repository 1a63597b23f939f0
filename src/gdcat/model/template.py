"""The steward spreadsheet template (``gdcat template``, ``/template.xlsx``, ``/template.csv``).

One row per dataset, the columns named for the steward fields (:mod:`gdcat.model.fields`, read
from the LinkML model and the shipped vocabularies), an example row made from a real record of
``model/examples/valid``. The XLSX workbook adds what a CSV file cannot hold: each header's
label and help as a comment, drop-down lists of the allowed values (``CODE — label``, from a
hidden ``lists`` sheet) and an ``instructions`` sheet. A filled template is read back by
:mod:`gdcat.model.spreadsheet`.

Which fields get a column: every field of the dataset's main sections (identification,
genomic data, phenotypes, data use, linked data, consent, readiness, access), every required
or recommended one, the required and recommended fields of their nested descriptions (two
levels deep), and every column the example row needs. Any other field can be added as a
column of its own (the reader knows every field of the model).

The workbook's words are in a chosen language (``template_xlsx("de")``, ``gdcat template
--lang de``, ``/template.xlsx?lang=de``): the fields' labels and help texts
(:func:`gdcat.model.fields.fields` in that language), the instructions and the drop-down
prompts (:data:`TEMPLATE_TEXTS`, translated in the same catalogues,
:mod:`gdcat.model.translations`). The column names stay the steward field names whatever the
language: they are what the reader reads back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from gdcat.model.fields import MORE, Field, Kind, field_at, fields, flatten, sections
from gdcat.model.spreadsheet import LABEL_MARK, LANGUAGE_MARK, SEPARATOR, SHEET, row_of
from gdcat.model.translations import translate
from gdcat.paths import model_dir

#: The record of ``model/examples/valid`` the example row is made from.
EXAMPLE = "es-clinical-exomes-not-shareable.yaml"
#: Rows of the data sheet that get the drop-down lists.
ROWS = 1000
#: Nested descriptions are described this many levels deep (``publisher.name``: 2).
DEPTH = 2
#: Nested descriptions deeper than ``DEPTH`` that still get columns (an agent's e-mail).
DEEP_PARTS = frozenset({"agent_contact_point"})


def N_(text: str) -> str:
    """Mark ``text`` as a word of the template (translated where it is written)."""
    return text


#: The instructions sheet's lines before the table of columns (``%(separator)s`` and
#: ``%(mark)s`` stand for :data:`SEPARATOR` and :data:`LABEL_MARK`).
INSTRUCTIONS: tuple[str, ...] = (
    N_("How to fill in this template"),
    "",
    N_(
        "One row per dataset, in the sheet 'datasets'. Row 2 is an example (a real record): "
        "overwrite it with your first dataset or delete it before you publish."
    ),
    N_(
        "Each column is a field of the steward YAML (docs/steward-yaml.md); the header's "
        "comment says what the field means. Orange headers are required, yellow ones "
        "recommended (the profile warns when they are missing). Column names stay as they "
        "are: only the labels and help texts are translated."
    ),
    N_("id: the dataset's IRI, as your node mints it (https://...)."),
    N_("Several values in one cell: separate them with ' %(separator)s ' (WGS %(separator)s WES)."),
    N_(
        "Texts in several languages: a column per language, named field@language "
        "(title@nl, description@de); a column without @ is English. Add the columns you need."
    ),
    N_(
        "Nested descriptions: field.subfield (publisher.name, distribution.access_url); one "
        "of each per row."
    ),
    N_(
        "Drop-down lists show 'CODE%(mark)slabel'; either the whole entry or the code "
        "alone may be typed: only the code counts."
    ),
    N_(
        "Other fields of the model may be added as columns, named as in steward YAML: a "
        "column 'type' with DatasetSeries makes a row a dataset series, and 'in_series' "
        "links a dataset to its series."
    ),
    N_(
        "Numbers, dates (YYYY-MM-DD) and true/false as plain cells; IRIs in full or as "
        "CURIEs (DUO:0000042, ORPHA:558, access-right:RESTRICTED)."
    ),
    N_(
        "Check the file with `gdcat validate FILE.xlsx` or on the validation page; publish it "
        "with `gdcat publish FILE.xlsx --node N --server URL --token-env VAR`: all rows are "
        "published together, or none if one is refused (the report names its row and column)."
    ),
    "",
)
#: The headings of the instructions sheet's table of columns.
HEADINGS = (
    N_("column"),
    N_("label"),
    N_("need"),
    N_("several values"),
    N_("allowed values"),
    N_("help"),
)
NEEDS = (N_("required"), N_("recommended"), N_("optional"))
YES_NO = (N_("yes"), N_("no"))
MORE_CHOICES = N_("(%(count)s in the drop-down list)")
TEXT_IN_LANGUAGE = N_("Text in language '%(lang)s'.")
SEVERAL_VALUES = N_("Several values: separate them with ' %(separator)s '.")
TERM_CODE = N_("A term's code, e.g. ORPHA:558, MONDO:0007947, HP:0001250.")
PICK_FROM_LIST = N_("Pick a value from the list (the code before ' — ' is what counts).")
#: Every word of the template that the catalogues translate (besides the fields' own).
TEMPLATE_TEXTS: tuple[str, ...] = (
    *(line for line in INSTRUCTIONS if line),
    *HEADINGS,
    *NEEDS,
    *YES_NO,
    MORE_CHOICES,
    TEXT_IN_LANGUAGE,
    SEVERAL_VALUES,
    TERM_CODE,
    PICK_FROM_LIST,
)


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the template: its header, its field and the language of its texts."""

    header: str
    field: Field
    lang: str | None = None

    @property
    def need(self) -> str:
        return (
            "required"
            if self.field.required
            else ("recommended" if self.field.recommended else "optional")
        )


def example_record() -> dict[str, Any]:
    """The steward YAML mapping of the example row."""
    path = model_dir() / "examples" / "valid" / EXAMPLE
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@cache
def template_columns() -> tuple[TemplateColumn, ...]:
    """The template's columns, in the fields' order."""
    example = row_of(example_record())
    main = {f.name for s in sections() if s.id != MORE[0] for f in s.fields}
    wanted = {header.split(LANGUAGE_MARK)[0] for header in example}
    out: list[TemplateColumn] = []
    for leaf in _leaves(fields()):
        top = leaf.path.split(".")[0]
        parts = leaf.path.split(".")
        needed = leaf.required or leaf.recommended
        shallow = len(parts) <= DEPTH or (len(parts) == DEPTH + 1 and parts[-2] in DEEP_PARTS)
        if len(parts) == 1:
            chosen = top in main or needed
        else:
            top_field = next(f for f in fields() if f.name == top)
            chosen = (
                shallow and needed and (top in main or top_field.required or top_field.recommended)
            )
        if not (chosen or leaf.path in wanted):
            continue
        if leaf.kind is Kind.MULTILINGUAL:
            out.append(TemplateColumn(leaf.path, leaf, "en"))
            for header in example:
                path, _, lang = header.partition(LANGUAGE_MARK)
                if path == leaf.path and lang:
                    out.append(TemplateColumn(header, leaf, lang))
        else:
            out.append(TemplateColumn(leaf.path, leaf))
    return tuple(out)


def _leaves(items: tuple[Field, ...]) -> list[Field]:
    return flatten(items)


def example_row() -> list[Any]:
    """The example row's cells, one per template column (None where it says nothing)."""
    cells = row_of(example_record())
    columns = {c.header for c in template_columns()}
    missing = sorted(set(cells) - columns)
    if missing:  # the column choice above takes every header of the example
        raise AssertionError(f"the template has no column for {missing}")
    return [cells.get(c.header) for c in template_columns()]


# --------------------------------------------------------------------------- CSV


@cache
def template_csv() -> bytes:
    """The template as CSV (UTF-8 with a byte-order mark, so that Excel reads it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in template_columns()])
    writer.writerow([_text(v) for v in example_row()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- XLSX


def choice_text(value: str, label: str) -> str:
    """How an allowed value reads in a drop-down list: ``WES — Whole exome sequencing``."""
    return f"{value}{LABEL_MARK}{label}" if label and label != value else value


def _in(lang: str, column: TemplateColumn) -> Field:
    """The column's field with its label and help in ``lang``."""
    if lang == "en":
        return column.field
    return field_at(column.field.path, lang=lang) or column.field


@cache
def template_xlsx(lang: str = "en") -> bytes:
    """The template as an XLSX workbook (sheets ``datasets``, ``instructions``, ``lists``), its
    labels, help texts and instructions in ``lang`` (English where not translated)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    instructions = book.create_sheet("instructions")
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    columns = template_columns()
    required = PatternFill("solid", fgColor="FCE4D6")
    recommended = PatternFill("solid", fgColor="FFF2CC")
    list_column = 0
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=number, value=column.header)
        cell.font = Font(bold=True)
        if column.need == "required":
            cell.fill = required
        elif column.need == "recommended":
            cell.fill = recommended
        comment = Comment(_help(column, lang), "gdcat")
        comment.width, comment.height = 320, 200
        cell.comment = comment
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.header) + 4))
        target = f"{letter}2:{letter}{ROWS + 1}"
        field = _in(lang, column)
        if field.kind is Kind.BOOLEAN:
            validation = DataValidation(type="list", formula1='"true,false"', allow_blank=True)
        elif field.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for row, choice in enumerate(field.choices, start=2):
                text = choice_text(choice.value, choice.label)
                lists.cell(row=row, column=list_column, value=text)
            last = len(field.choices) + 1
            validation = DataValidation(
                type="list",
                formula1=f"{quote_sheetname('lists')}!${list_letter}$2:${list_letter}${last}",
                allow_blank=True,
            )
        else:
            continue
        # a warning, not a refusal: several values ("WGS | WES") and codes typed by hand
        validation.errorStyle = "warning"
        validation.showErrorMessage = not field.multivalued
        validation.errorTitle = column.header
        validation.error = translate(PICK_FROM_LIST, lang)
        validation.promptTitle = column.header[:32]
        validation.prompt = field.label[:255]
        validation.add(target)
        sheet.add_data_validation(validation)
    for number, value in enumerate(example_row(), start=1):
        if value is not None:
            sheet.cell(row=2, column=number, value=value)
    sheet.freeze_panes = "B2"
    _instructions(instructions, columns, lang)
    for row in instructions.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _reproducible(book)


#: The time written into the workbook (its properties and its zip entries), so that the same
#: model gives the same bytes whenever it is built (downloads can be compared and cached).
_STAMP = dt.datetime(2024, 1, 1)


def _reproducible(book: Any) -> bytes:
    """``book`` saved with fixed times instead of the current one."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = _STAMP
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _help(column: TemplateColumn, lang: str = "en") -> str:
    field = _in(lang, column)
    lines = [f"{field.label} ({translate(column.need, lang)})"]
    if column.lang is not None:
        lines.append(translate(TEXT_IN_LANGUAGE, lang) % {"lang": column.lang})
    if field.help:
        lines.append(field.help)
    if field.multivalued:
        lines.append(translate(SEVERAL_VALUES, lang) % {"separator": SEPARATOR})
    if field.searchable:
        lines.append(translate(TERM_CODE, lang))
    return "\n".join(lines)[:1500]


def _instructions(sheet: Any, columns: tuple[TemplateColumn, ...], lang: str = "en") -> None:
    from openpyxl.styles import Font

    words = {"separator": SEPARATOR, "mark": LABEL_MARK}
    text = [translate(line, lang) % words if line else "" for line in INSTRUCTIONS]
    for row, line in enumerate(text, start=1):
        sheet.cell(row=row, column=1, value=line)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    start = len(text) + 1
    for number, header in enumerate(HEADINGS, start=1):
        sheet.cell(row=start, column=number, value=translate(header, lang)).font = Font(bold=True)
    yes, no = (translate(word, lang) for word in YES_NO)
    for row, column in enumerate(columns, start=start + 1):
        field = _in(lang, column)
        allowed = ", ".join(c.value for c in field.choices[:12])
        if len(field.choices) > 12:
            more = translate(MORE_CHOICES, lang) % {"count": len(field.choices)}
            allowed += f", … {more}"
        values = (
            column.header,
            field.label,
            translate(column.need, lang),
            yes if field.multivalued else no,
            allowed,
            field.help[:500],
        )
        for number, value in enumerate(values, start=1):
            sheet.cell(row=row, column=number, value=value)
    for letter, width in zip("ABCDEF", (34, 30, 12, 10, 40, 80), strict=True):
        sheet.column_dimensions[letter].width = width
