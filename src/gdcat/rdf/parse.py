"""Safe parsing of RDF and steward YAML.

Guarantees, whatever the input:
- nothing larger than the configured limit is parsed (:class:`PayloadTooLargeError`);
- no network access while parsing: a JSON-LD document naming a remote ``@context`` (or
  ``@import``) and an RDF/XML document declaring an external entity are refused with
  :class:`ForbiddenNetworkAccessError` before any parser sees them;
- malformed input raises :class:`RdfSyntaxError` carrying the file, line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from gdcat.errors import (
    ForbiddenNetworkAccessError,
    InputError,
    PayloadTooLargeError,
    RdfSyntaxError,
    SourceLocation,
)
from gdcat.rdf.formats import FORMATS, RdfFormat, format_for_path, get_format
from gdcat.rdf.terms import ox_to_rdflib

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: JSON-LD contexts gdcat knows by IRI and serves from disk instead of the network.
_LOCAL_CONTEXT_IRIS = (
    "https://w3id.org/gdcat/context.jsonld",
    "https://w3id.org/gdcat/ns/context.jsonld",
)

_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s*)?([^\s>]+)\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)


def parse_bytes(
    data: bytes,
    fmt: RdfFormat | str,
    *,
    source: str = "<input>",
    base_iri: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Graph:
    """Parse one document into a new in-memory graph (named graphs of TriG/N-Quads merged)."""
    rdf_format = get_format(fmt) if isinstance(fmt, str) else fmt
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"document is {len(data):,} bytes, over the limit of {max_bytes:,} bytes",
            SourceLocation(source),
        )
    if rdf_format.name == "yaml":
        return _parse_steward_yaml(data, source)
    if rdf_format.name == "jsonld":
        return _parse_jsonld(data, source, base_iri)
    if rdf_format.name == "rdfxml":
        _refuse_external_entities(data, source)
    return _parse_with_rdflib(data, rdf_format, source, base_iri)


def parse_file(
    path: Path, *, fmt: RdfFormat | str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Graph:
    """Parse a file, its format taken from the extension unless given."""
    rdf_format = format_for_path(path) if fmt is None else fmt
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", SourceLocation(source)) from e
    if size > max_bytes:
        raise PayloadTooLargeError(
            f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes",
            SourceLocation(source),
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", SourceLocation(source)) from e
    return parse_bytes(
        data, rdf_format, source=source, base_iri=path.resolve().as_uri(), max_bytes=max_bytes
    )


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file with a known RDF/YAML extension below folders."""
    known = {ext for f in FORMATS for ext in f.extensions}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in known:
                    yield child
        else:
            yield path


def parse_paths(
    paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[Path, Graph | InputError]]:
    """Each file below ``paths`` with its graph, or the error that made it unusable."""
    for path in expand_paths(paths):
        try:
            yield path, parse_file(path, max_bytes=max_bytes)
        except InputError as e:
            yield path, e


# -- format-specific paths ---------------------------------------------------------------


def _new_graph() -> Graph:
    # No prefixes bound: binding costs more than parsing a small document, and records get
    # theirs when split (see gdcat.rdf.records); bind before serialising a parsed graph.
    return Graph()


#: Formats pyoxigraph parses: read straight into rdflib terms, skipping rdflib's parser plugins
#: (a large part of harvesting time went into oxrdflib's per-triple store calls).
_OXIGRAPH_FORMATS = {
    "ox-turtle": ox.RdfFormat.TURTLE,
    "ox-ntriples": ox.RdfFormat.N_TRIPLES,
    "ox-xml": ox.RdfFormat.RDF_XML,
    "ox-trig": ox.RdfFormat.TRIG,
    "ox-nquads": ox.RdfFormat.N_QUADS,
}


def _parse_with_rdflib(
    data: bytes, rdf_format: RdfFormat, source: str, base_iri: str | None
) -> Graph:
    assert rdf_format.rdflib_parser is not None
    native = _OXIGRAPH_FORMATS.get(rdf_format.rdflib_parser)
    target: Graph = Dataset() if rdf_format.is_dataset and native is None else _new_graph()
    try:
        if native is not None:
            _parse_with_oxigraph(data, native, base_iri, target)
            return target
        target.parse(data=data, format=rdf_format.rdflib_parser, publicID=base_iri)
    except SyntaxError as e:
        line, column = _syntax_position(e)
        message = _first_line(e.msg if isinstance(e.msg, str) else str(e))
        message = re.sub(
            r"^Parser error (between|at) line \d+ column \d+( and line \d+ column \d+)?: ",
            "",
            message,
        )
        if line is None and rdf_format.name == "rdfxml":
            line, column = _xml_error_position(data)
        raise RdfSyntaxError(
            f"malformed {rdf_format.label}: {message}", SourceLocation(source, line, column)
        ) from e
    except (ValueError, UnicodeDecodeError) as e:
        raise RdfSyntaxError(
            f"malformed {rdf_format.label}: {_first_line(str(e))}", SourceLocation(source)
        ) from e
    if isinstance(target, Dataset):
        merged = _new_graph()
        for s, p, o, _g in target.quads((None, None, None, None)):
            merged.add((s, p, o))
        target = merged
    return plain_string_literals(target)


def _parse_with_oxigraph(
    data: bytes, fmt: ox.RdfFormat, base_iri: str | None, target: Graph
) -> None:
    """Every triple (named graphs merged) into ``target``, simple literals plain (see
    :func:`plain_string_literals`)."""
    iris: dict[str, URIRef] = {}
    # Oxigraph keeps a document's blank node labels: each document gets fresh nodes, so that
    # "_:b0" of two documents merged later are not taken for one node.
    blanks: dict[str, BNode] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(value, ox.NamedNode):
            known = iris.get(value.value)
            if known is None:
                known = iris[value.value] = URIRef(value.value)
            return known
        if isinstance(value, ox.BlankNode):
            blank = blanks.get(value.value)
            if blank is None:
                blank = blanks[value.value] = BNode()
            return blank
        if isinstance(value, ox.Triple):
            raise ValueError("RDF-star quoted triples are not supported")
        return ox_to_rdflib(value)

    items = ox.parse(data, fmt, base_iri=base_iri)
    target.addN((term(t.subject), term(t.predicate), term(t.object), target) for t in items)


def plain_string_literals(graph: Graph) -> Graph:
    """Write ``"x"^^xsd:string`` as the simple literal ``"x"`` (the same term in RDF 1.1).

    Oxigraph's parsers type every simple literal explicitly; rdflib's own parsers do not, and
    rdflib compares the two forms as different terms. One form keeps hashes, isomorphism
    checks and Turtle output the same whichever parser read the document.
    """
    typed = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.datatype == XSD.string]
    for s, p, o in typed:
        graph.remove((s, p, o))
        graph.add((s, p, Literal(str(o))))
    return graph


def _syntax_position(error: SyntaxError) -> tuple[int | None, int | None]:
    line = error.lineno
    column = error.offset
    match = re.search(r"line (\d+) column (\d+)", str(error))
    if match:
        line, column = int(match.group(1)), int(match.group(2))
    return line, column


def _xml_error_position(data: bytes) -> tuple[int | None, int | None]:
    """Where an XML document stops being well-formed, by the standard library's expat.

    expat resolves no external entity unless a handler asks it to, so this is safe.
    """
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        return e.lineno, e.offset + 1
    return None, None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "syntax error"


def _refuse_external_entities(data: bytes, source: str) -> None:
    """RDF/XML may declare internal entities (OWL files do); external ones are refused."""
    head_end = data.find(b"]>")
    head = data if head_end < 0 else data[: head_end + 2]
    match = _EXTERNAL_ENTITY.search(head)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        name = match.group(1).decode("utf-8", "replace")
        raise ForbiddenNetworkAccessError(
            f"RDF/XML declares an external entity {name!r} ({match.group(2).decode()}); "
            "gdcat never resolves external entities: inline the value instead",
            SourceLocation(source, line),
        )


def _parse_jsonld(data: bytes, source: str, base_iri: str | None) -> Graph:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise RdfSyntaxError(f"JSON-LD is not UTF-8: {e.reason}", SourceLocation(source)) from e
    except json.JSONDecodeError as e:
        raise RdfSyntaxError(
            f"malformed JSON-LD: {e.msg}", SourceLocation(source, e.lineno, e.colno)
        ) from e
    document = _inline_contexts(document, source)
    graph = _new_graph()
    try:
        graph.parse(data=json.dumps(document), format="json-ld", publicID=base_iri)
    except Exception as e:  # rdflib's JSON-LD processor raises bare exceptions of many kinds
        raise RdfSyntaxError(
            f"invalid JSON-LD: {_first_line(str(e))}", SourceLocation(source)
        ) from e
    return graph


def _inline_contexts(node: Any, source: str) -> Any:
    """Replace known context IRIs by their local copy; refuse every other remote context."""
    if isinstance(node, list):
        return [_inline_contexts(item, source) for item in node]
    if not isinstance(node, Mapping):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("@context", "@import"):
            result[key] = _resolve_context_value(value, source)
        else:
            result[key] = _inline_contexts(value, source)
    return result


def _resolve_context_value(value: Any, source: str) -> Any:
    if isinstance(value, str):
        if value in _LOCAL_CONTEXT_IRIS:
            from gdcat.model.steward import context_document

            return context_document()["@context"]
        raise ForbiddenNetworkAccessError(
            f"JSON-LD names a remote @context {value!r}; gdcat does not fetch contexts while "
            "parsing: embed the context in the document",
            SourceLocation(source),
        )
    if isinstance(value, list):
        return [_resolve_context_value(item, source) for item in value]
    return _inline_contexts(value, source)


def _parse_steward_yaml(data: bytes, source: str) -> Graph:
    from gdcat.model.steward import load_steward_yaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RdfSyntaxError(f"YAML is not UTF-8: {e.reason}", SourceLocation(source)) from e
    return load_steward_yaml(text, source)
