"""Steward spreadsheets: one row per dataset, read as steward YAML.

A filled template of ``gdcat template`` (XLSX or CSV) is a format like any other
(:mod:`gdcat.rdf.formats`): ``gdcat validate``, ``gdcat load``, the publishing API and the
validation page read it through :func:`gdcat.rdf.parse.parse_bytes`. Each row becomes the
mapping a steward would have written in YAML, as composed YAML nodes whose marks are the row's
cells, and goes through :mod:`gdcat.model.steward` like a YAML document: one mechanism, and its
errors name the sheet, row and column (``data.xlsx, sheet datasets, row 5, column C
(number_of_genomes)``).

The columns (``docs/steward-guide.md``, "Spreadsheets"):

- a header row of field names, as in steward YAML (``title``, ``number_of_genomes``);
- ``field@lang`` for a text in a language (``title@de``); a plain text field is English;
- ``outer.inner`` for a field of a nested description (``publisher.name``,
  ``distribution.access_url``): one such description per row;
- several values in one cell, separated by ``|`` (``WGS | WES``);
- a value picked from a drop-down list reads ``CODE — label``: the part before `` — `` is
  the value.

What a workbook may hold before it is read: its zip members may unpack to no more than
``max_document_bytes`` together, no XML member may declare a DTD or entities, and the sheet
read may hold no more cells than ``max_document_triples``. Cached values are read, never
formulas, and external links are not followed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from gdcat.errors import (
    DocumentTooLargeError,
    RdfSyntaxError,
    SourceLocation,
    StewardDocumentError,
)
from gdcat.model import schema
from gdcat.model.steward import RECORD_CLASSES, load_steward_nodes
from gdcat.rdf.parse import DEFAULT_LIMITS, DEFAULT_MAX_BYTES, ParseLimits
from gdcat.rdf.records import LocatedGraph, RecordOrigin

#: The sheet of a workbook that holds the datasets (else the first sheet is read).
SHEET = "datasets"
#: Separates the values of a field that takes several.
SEPARATOR = "|"
#: Between a field and a language tag in a header: ``title@de``.
LANGUAGE_MARK = "@"
#: Between a value and its label in a drop-down list: ``WES — Whole exome sequencing``.
LABEL_MARK = " — "
#: Between a field and a field of its nested description: ``publisher.name``.
NESTING_MARK = "."

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
#: XSD datatypes whose values are read as YAML reads plain values (numbers, booleans, dates).
_TYPED = ("integer", "Integer", "decimal", "double", "float", "boolean", "date", "dateTime")
#: XML members of a workbook checked for DTDs (and read at most this much at a time).
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Column:
    """One header: the field path it names, its language, and what the model says of it."""

    number: int
    header: str
    #: field path: ``number_of_genomes``, ``publisher.name``
    path: str
    lang: str | None
    #: the slot of the last segment (None for ``id``, ``type`` and unknown fields)
    slot: schema.SlotInfo | None

    @property
    def segments(self) -> list[str]:
        return self.path.split(NESTING_MARK)

    @cached_property
    def plain_text(self) -> bool:
        """Read as text whatever it looks like (YAML would read ``1.10`` as a number)."""
        slot = self.slot
        if slot is None or slot.kind in ("lang_string", "iri", "enum", "object"):
            return True
        return not any(d.endswith(t) for d in slot.datatypes for t in _TYPED)

    @property
    def multivalued(self) -> bool:
        return self.slot is not None and self.slot.multivalued


@dataclass
class Table:
    """A sheet's header and rows (each row: its number and its cells' values)."""

    source: str
    sheet: str
    columns: list[Column]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def load_spreadsheet(
    data: bytes,
    fmt: str,
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> LocatedGraph:
    """The datasets of a steward spreadsheet (``fmt`` ``xlsx`` or ``csv``) as a graph that
    knows each dataset's row (:class:`~gdcat.rdf.records.LocatedGraph`)."""
    table = read_table(data, fmt, source, max_bytes=max_bytes, limits=limits)
    rows: list[tuple[int, MappingNode]] = []
    for number, values in table.rows:
        node = row_node(table, number, values)
        if node is not None:
            rows.append((number, node))
    if not rows:
        raise StewardDocumentError(
            "the sheet has no dataset rows below its header",
            SourceLocation(source, 2, sheet=table.sheet),
        )
    graph = LocatedGraph()
    iris = load_steward_nodes([node for _, node in rows], source, table.sheet, graph)
    # every column, filled in or not: a missing field is reported in its column
    columns: dict[str, tuple[int, str]] = {}
    for column in table.columns:
        columns.setdefault(column.path, (column.number, column.header))
    for iri, (number, _) in zip(iris, rows, strict=True):
        graph.origins[iri] = RecordOrigin(
            SourceLocation(source, number, sheet=table.sheet), columns
        )
    return graph


def read_table(
    data: bytes,
    fmt: str,
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Table:
    """The header and non-empty rows of a spreadsheet's dataset sheet."""
    cells = _read_xlsx(data, source, max_bytes, limits) if fmt == "xlsx" else None
    if cells is None:
        sheet, rows = "", _read_csv(data, source, limits)
    else:
        sheet, rows = cells
    table: Table | None = None
    for number, values in rows:
        if table is None:
            header = values
            if not any(_present(v) for v in header):
                raise StewardDocumentError(
                    "the first row must name the fields (see `gdcat template`)",
                    SourceLocation(source, number, sheet=sheet),
                )
            table = Table(source, sheet, _columns(header, source, sheet))
            continue
        if any(_present(v) for v in values):
            table.rows.append((number, values[: len(table.columns)]))
    if table is None:
        raise StewardDocumentError(
            "the sheet is empty: its first row names the fields (see `gdcat template`)",
            SourceLocation(source, 1, sheet=sheet),
        )
    return table


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _read_csv(data: bytes, source: str, limits: ParseLimits) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RdfSyntaxError(
            f"the CSV file is not UTF-8 ({e.reason}): save it as 'CSV UTF-8'",
            SourceLocation(source, sheet=""),
        ) from e
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells = 0
    try:
        for values in reader:
            cells += max(1, len(values))
            _check_cells(cells, limits, source, "", reader.line_num)
            yield reader.line_num, list(values)
    except csv.Error as e:
        raise RdfSyntaxError(
            f"malformed CSV: {e}", SourceLocation(source, reader.line_num, sheet="")
        ) from e


def _check_cells(cells: int, limits: ParseLimits, source: str, sheet: str, row: int) -> None:
    if cells > limits.max_document_triples:
        raise DocumentTooLargeError(
            f"the sheet has more than {limits.max_document_triples:,} cells: split it into "
            "smaller files",
            SourceLocation(source, row, sheet=sheet),
            setting="max_document_triples",
            value=limits.max_document_triples,
        )


def _read_xlsx(
    data: bytes, source: str, max_bytes: int, limits: ParseLimits
) -> tuple[str, Iterator[tuple[int, list[Any]]]]:
    check_workbook(data, source, max_bytes)
    import openpyxl

    try:
        with warnings.catch_warnings():  # "data validation extension not supported"…
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as e:  # openpyxl raises assorted errors for damaged workbooks
        raise RdfSyntaxError(f"cannot read the XLSX workbook: {e}", SourceLocation(source)) from e
    names = book.sheetnames
    name = SHEET if SHEET in names else names[0]
    sheet = book[name]
    return name, _xlsx_rows(book, sheet, source, name, limits)


def _xlsx_rows(
    book: Any, sheet: Any, source: str, name: str, limits: ParseLimits
) -> Iterator[tuple[int, list[Any]]]:
    try:
        sheet.reset_dimensions()  # a workbook's declared size may be wrong: read the cells
        header = next(iter(sheet.iter_rows(min_row=1, max_row=1, values_only=True)), ())
        row = list(header)
        while row and not _present(row[-1]):
            row.pop()
        width = len(row)
        cells = max(1, width)
        _check_cells(cells, limits, source, name, 1)
        yield 1, row
        if not width:
            return
        rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, values in enumerate(rows, start=2):
            cells += width
            _check_cells(cells, limits, source, name, number)
            yield number, list(values)
    except (DocumentTooLargeError, StewardDocumentError):
        raise
    except Exception as e:  # a damaged sheet: openpyxl's parser errors
        raise RdfSyntaxError(
            f"cannot read the sheet {name}: {e}", SourceLocation(source, sheet=name)
        ) from e
    finally:
        book.close()


def check_workbook(data: bytes, source: str, max_bytes: int) -> None:
    """Refuse a workbook that is not a zip file, unpacks past ``max_bytes`` (a zip bomb), or
    holds XML with a document type declaration (entities), before any XML parser sees it."""
    where = SourceLocation(source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise RdfSyntaxError(f"not an XLSX workbook (not a zip file): {e}", where) from e
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        if unpacked > max_bytes:
            raise DocumentTooLargeError(
                f"the workbook unpacks to {unpacked:,} bytes, over the limit of "
                f"{max_bytes:,} bytes: split it into smaller files",
                where,
                setting="max_document_bytes",
                value=max_bytes,
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                _check_no_dtd(archive, member, where)


def _check_no_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: SourceLocation) -> None:
    tail = b""
    try:
        with archive.open(member) as handle:  # reads at most the declared size
            while chunk := handle.read(_CHUNK):
                window = (tail + chunk).upper()
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise RdfSyntaxError(
                        f"the workbook's {member.filename} declares a document type or "
                        "entities, which workbooks never need: refused",
                        where,
                    )
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
        raise RdfSyntaxError(f"damaged XLSX workbook ({member.filename}): {e}", where) from e


# --------------------------------------------------------------------------- header


def _columns(header: list[Any], source: str, sheet: str) -> list[Column]:
    columns: list[Column] = []
    seen: dict[tuple[str, str | None], str] = {}
    for number, value in enumerate(header, start=1):
        where = SourceLocation(source, 1, number, sheet=sheet)
        text = str(value).strip() if _present(value) else ""
        if not text:
            raise StewardDocumentError(
                "a column has no field name in the header row: name it or delete the column",
                where,
            )
        path, _, lang = text.partition(LANGUAGE_MARK)
        slot = _slot_of(path.split(NESTING_MARK))
        if lang and (slot is None or slot.kind != "lang_string"):
            raise StewardDocumentError(
                f"{path} is not a text in several languages: remove {LANGUAGE_MARK}{lang} "
                "from the header",
                SourceLocation(source, 1, number, sheet=sheet, field=text),
            )
        language = lang.lower() if lang else None
        if slot is not None and slot.kind == "lang_string" and language is None:
            language = "en"  # a plain text is English, as in steward YAML
        key = (path, language)
        if key in seen:
            raise StewardDocumentError(
                f"the columns {seen[key]} and {text} give the same field"
                + (f" in the same language ({language})" if language else ""),
                SourceLocation(source, 1, number, sheet=sheet, field=text),
            )
        seen[key] = text
        columns.append(Column(number, text, path, language, slot))
    return columns


def _slot_of(segments: list[str]) -> schema.SlotInfo | None:
    """The slot a header's path names (on a dataset or a series, then nested classes)."""
    slots = {**schema.class_slot_info(RECORD_CLASSES[1]), **schema.class_slot_info("Dataset")}
    slot: schema.SlotInfo | None = None
    for segment in segments:
        slot = slots.get(segment)
        if slot is None:
            return None
        slots = schema.class_slot_info(slot.range_class) if slot.range_class else {}
    return slot


# --------------------------------------------------------------------------- rows


@dataclass
class _Branch:
    """A mapping being built: field -> (key node, value), the value a node or a branch."""

    mark: yaml.Mark
    fields: dict[str, tuple[ScalarNode, Any]] = field(default_factory=dict)


def row_node(table: Table, row: int, values: list[Any]) -> MappingNode | None:
    """The steward mapping of one row as YAML nodes marked with their cells; None if the row
    holds nothing."""
    root = _Branch(_mark("", row, 1))
    for column in table.columns:
        value = values[column.number - 1] if column.number <= len(values) else None
        if not _present(value):
            continue
        mark = _mark(column.header, row, column.number)
        branch = root
        segments = column.segments
        for segment in segments[:-1]:
            entry = branch.fields.get(segment)
            if entry is None or not isinstance(entry[1], _Branch):
                entry = (_key(segment, column), _Branch(mark))
                branch.fields[segment] = entry
            branch = entry[1]
        last = segments[-1]
        node = _value_node(column, value, mark)
        if column.lang is not None:
            entry = branch.fields.get(last)
            if entry is None or not isinstance(entry[1], _Branch):
                entry = (_key(last, column), _Branch(mark))
                branch.fields[last] = entry
            entry[1].fields[column.lang] = (_key(column.lang, column), node)
        else:
            branch.fields[last] = (_key(last, column), node)
    if not root.fields:
        return None
    return _mapping(root)


def _mark(header: str, row: int, column: int) -> yaml.Mark:
    return yaml.Mark(header, 0, row - 1, column - 1, None, 0)


def _key(name: str, column: Column) -> ScalarNode:
    """A field name's node, marked with its header cell (errors about the field name it)."""
    mark = _mark(column.header, 1, column.number)
    return ScalarNode(_STR, name, mark, mark)


def _mapping(branch: _Branch) -> MappingNode:
    pairs: list[tuple[Node, Node]] = []
    for key, value in branch.fields.values():
        pairs.append((key, _mapping(value) if isinstance(value, _Branch) else value))
    return MappingNode(_MAP, pairs, branch.mark, branch.mark)


def _value_node(column: Column, value: Any, mark: yaml.Mark) -> Node:
    if column.multivalued and isinstance(value, str) and SEPARATOR in value:
        parts = [p for p in (part.strip() for part in value.split(SEPARATOR)) if p]
        items: list[Node] = [_scalar(column, part, mark) for part in parts]
        return SequenceNode(_SEQ, items, mark, mark)
    return _scalar(column, value, mark)


def _scalar(column: Column, value: Any, mark: yaml.Mark) -> ScalarNode:
    if column.plain_text:
        text = _cell_text(value)
        if column.slot is not None and column.slot.kind in ("iri", "enum", "object"):
            text = text.split(LABEL_MARK, 1)[0].strip()  # "WES — Whole exome sequencing"
        return ScalarNode(_STR, text, mark, mark)
    if isinstance(value, bool):
        return ScalarNode(_BOOL, "true" if value else "false", mark, mark)
    if isinstance(value, int):
        return ScalarNode(_INT, str(value), mark, mark)
    if isinstance(value, float):
        if value.is_integer():
            return ScalarNode(_INT, str(int(value)), mark, mark)
        return ScalarNode(_FLOAT, repr(value), mark, mark)
    if isinstance(value, dt.datetime | dt.date):
        return ScalarNode(_TIMESTAMP, _cell_text(value), mark, mark)
    text = _cell_text(value)
    return ScalarNode(_implicit_tag(text), text, mark, mark)


@cache
def _resolver() -> Resolver:
    return Resolver()


def _implicit_tag(text: str) -> str:
    """The tag YAML gives a plain value written as ``text`` (a number, a date, a boolean)."""
    tag = _resolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return str(tag)


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------- YAML -> row


def row_of(record: dict[str, Any]) -> dict[str, Any]:
    """The cells of one row for a steward YAML mapping (as ``yaml.safe_load`` reads it):
    header -> value (text, number, boolean or date). The inverse of reading a row.

    Raises :class:`ValueError` for what one row cannot say: several nested descriptions in
    one field (two distributions), lists inside a nested list.
    """
    cells: dict[str, Any] = {}
    _flatten(record, "", cells)
    return cells


def _flatten(mapping: dict[str, Any], prefix: str, cells: dict[str, Any]) -> None:
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        slot = _slot_of(path.split(NESTING_MARK))
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            value = value[0]
        if isinstance(value, dict):
            if slot is not None and slot.kind == "lang_string":
                for lang, texts in value.items():
                    header = path if lang == "en" else f"{path}{LANGUAGE_MARK}{lang}"
                    cells[header] = _joined(texts)
            else:
                _flatten(value, f"{path}{NESTING_MARK}", cells)
            continue
        if isinstance(value, list):
            if any(isinstance(v, dict | list) for v in value):
                raise ValueError(f"{path}: one row holds one description per field")
            cells[path] = _joined(value)
            continue
        cells[path] = value


def _joined(value: Any) -> Any:
    if isinstance(value, list):
        if len(value) == 1:
            return _joined(value[0])
        return f" {SEPARATOR} ".join(_cell_text(v) for v in value)
    return value
