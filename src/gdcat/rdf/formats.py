"""The one table of RDF formats gdcat reads and writes.

Every layer that needs a media type, a file extension or a parser name looks it up here, so
content negotiation (API), file reading (CLI, harvest) and serialisation never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gdcat.errors import UnsupportedFormatError


@dataclass(frozen=True)
class RdfFormat:
    """One serialisation: its short name, media types (preferred first) and file extensions."""

    name: str
    label: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    #: rdflib parser plugin (Oxigraph-backed where one exists: faster, exact error positions).
    rdflib_parser: str | None
    #: rdflib serializer plugin name.
    rdflib_serializer: str | None
    #: True for formats holding several graphs (TriG, N-Quads).
    is_dataset: bool = False

    @property
    def media_type(self) -> str:
        return self.media_types[0]


#: The media type of an Excel workbook (a steward spreadsheet).
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat(
        "turtle",
        "Turtle",
        ("text/turtle", "application/x-turtle"),
        (".ttl", ".turtle"),
        "ox-turtle",
        "turtle",
    ),
    RdfFormat(
        "ntriples",
        "N-Triples",
        ("application/n-triples", "text/plain"),
        (".nt",),
        "ox-ntriples",
        "nt11",
    ),
    RdfFormat(
        "jsonld",
        "JSON-LD",
        ("application/ld+json", "application/json"),
        (".jsonld", ".json-ld", ".json"),
        "json-ld",
        "json-ld",
    ),
    RdfFormat(
        "rdfxml",
        "RDF/XML",
        ("application/rdf+xml", "application/xml", "text/xml"),
        (".rdf", ".owl", ".xml"),
        "ox-xml",
        "pretty-xml",
    ),
    RdfFormat(
        "trig", "TriG", ("application/trig",), (".trig",), "ox-trig", "trig", is_dataset=True
    ),
    RdfFormat(
        "nquads",
        "N-Quads",
        ("application/n-quads",),
        (".nq",),
        "ox-nquads",
        "nquads",
        is_dataset=True,
    ),
    RdfFormat(
        "yaml",
        "steward YAML",
        ("application/yaml", "application/x-yaml", "text/yaml"),
        (".yaml", ".yml"),
        None,
        None,
    ),
    # A filled template of ``gdcat template``: one row per dataset, read as steward YAML
    # (gdcat.model.spreadsheet); read only, never written as a serialisation.
    RdfFormat("xlsx", "steward spreadsheet (XLSX)", (XLSX_MEDIA_TYPE,), (".xlsx",), None, None),
    RdfFormat("csv", "steward spreadsheet (CSV)", ("text/csv",), (".csv",), None, None),
)

#: The formats that are steward spreadsheets.
SPREADSHEET_FORMATS = frozenset({"xlsx", "csv"})

_BY_NAME = {f.name: f for f in FORMATS}
_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "rdf": "rdfxml",
    "nq": "nquads",
    "yml": "yaml",
}


def get_format(name: str) -> RdfFormat:
    """A format by its short name or a common alias (``ttl``, ``json-ld``, ``xml``…)."""
    key = name.lower()
    key = _ALIASES.get(key, key)
    try:
        return _BY_NAME[key]
    except KeyError:
        known = ", ".join(f.name for f in FORMATS)
        raise UnsupportedFormatError(f"unknown RDF format {name!r} (known: {known})") from None


def format_for_path(path: Path | str) -> RdfFormat:
    """The format a file's extension announces."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    for fmt in FORMATS:
        for ext in fmt.extensions:
            if suffixes and suffixes[-1] == ext:
                return fmt
    raise UnsupportedFormatError(
        f"cannot tell the RDF format of {Path(path).name!r} from its extension "
        "(use .ttl, .nt, .jsonld, .rdf, .trig, .nq, .yaml, .xlsx, .csv)"
    )


def format_for_media_type(media_type: str) -> RdfFormat:
    """The format of a media type (parameters such as ``; charset=utf-8`` are ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    for fmt in FORMATS:
        if bare in fmt.media_types:
            return fmt
    raise UnsupportedFormatError(f"unsupported RDF media type {media_type!r}")
