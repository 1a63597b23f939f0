"""Safe parsing of RDF and steward YAML.

Guarantees, whatever the input:
- nothing larger than the configured limit is parsed (:class:`PayloadTooLargeError`);
- no document grows past the :class:`ParseLimits` (one mechanism for publishing, ``gdcat
  validate``/``load`` and harvesting): RDF/XML entity declarations and the size their
  references expand to are counted before the parser sees the document, nesting depth is
  measured before the parser sees it (Turtle/TriG brackets, JSON and JSON-LD arrays and
  objects, XML elements, YAML collections), triples are counted as the parser hands them over
  and parsing stops past the limit. A limit hit raises :class:`DocumentTooLargeError` (413)
  or :class:`DocumentTooComplexError` (422) naming the limit, its value and its setting;
- no network access while parsing: a JSON-LD document naming a remote ``@context`` (or
  ``@import``) and an RDF/XML document declaring an external entity are refused with
  :class:`ForbiddenNetworkAccessError` before any parser sees them;
- no literal or IRI holds a character XML 1.0 cannot carry (U+0000, other C0 controls but
  tab, line feed and carriage return, U+FFFE, U+FFFF, unpaired surrogates): RDF/XML and
  SPARQL XML answers stay well-formed;
- malformed input raises :class:`RdfSyntaxError` carrying the file, line and column; every
  other parser failure (recursion, unknown YAML tags, numbers too long to read) is an
  :class:`InputError` too, never an unhandled exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.stores.memory import Memory, SimpleMemory
from rdflib.term import Node

from gdcat.errors import (
    DocumentTooComplexError,
    DocumentTooLargeError,
    ForbiddenNetworkAccessError,
    InputError,
    PayloadTooLargeError,
    RdfSyntaxError,
    SourceLocation,
)
from gdcat.rdf.formats import (
    FORMATS,
    SPREADSHEET_FORMATS,
    RdfFormat,
    format_for_path,
    get_format,
)
from gdcat.rdf.terms import ox_to_rdflib

if TYPE_CHECKING:
    from gdcat.settings import Settings

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ParseLimits:
    """How much structure one document may have; each limit is a setting of the same name.

    The defaults are the settings' defaults (:class:`gdcat.settings.Settings`): a document of
    300,000 triples (some 3,000 datasets of ~100 triples) takes about 170 MB once parsed
    (560 bytes a triple in a DCAT-AP catalogue), 580 MB at worst (1.9 KB a triple when every
    triple has a blank node and a literal of its own); see ``docs/security.md``.
    """

    #: triples (or quads) one document may hold
    max_document_triples: int = 300_000
    #: nested brackets, collections, arrays, objects, elements or YAML collections
    max_nesting_depth: int = 64
    #: ``<!ENTITY`` declarations in one RDF/XML document
    max_xml_entities: int = 100
    #: bytes the entity references of one RDF/XML document may expand to, all together
    max_xml_entity_expansion: int = 10 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseLimits:
        return cls(
            max_document_triples=settings.max_document_triples,
            max_nesting_depth=settings.max_nesting_depth,
            max_xml_entities=settings.max_xml_entities,
            max_xml_entity_expansion=settings.max_xml_entity_expansion,
        )


DEFAULT_LIMITS = ParseLimits()

#: JSON-LD contexts gdcat knows by IRI and serves from disk instead of the network.
_LOCAL_CONTEXT_IRIS = (
    "https://w3id.org/gdcat/context.jsonld",
    "https://w3id.org/gdcat/ns/context.jsonld",
)


def parse_bytes(
    data: bytes,
    fmt: RdfFormat | str,
    *,
    source: str = "<input>",
    base_iri: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Graph:
    """Parse one document into a new in-memory graph (named graphs of TriG/N-Quads merged).

    Raises :class:`InputError` (and only that) for anything that makes the document unusable:
    a syntax error, a limit exceeded, a forbidden network access, an unwritable character.
    """
    rdf_format = get_format(fmt) if isinstance(fmt, str) else fmt
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"document is {len(data):,} bytes, over the limit of {max_bytes:,} bytes",
            SourceLocation(source),
        )
    try:
        return _parse_limited(data, rdf_format, source, base_iri, limits, max_bytes)
    except RecursionError as e:  # a parser nesting deeper than the depth check foresaw
        raise DocumentTooComplexError(
            f"{rdf_format.label} nests too deeply to be read",
            SourceLocation(source),
            setting="max_nesting_depth",
            value=limits.max_nesting_depth,
        ) from e
    except MemoryError as e:
        raise DocumentTooLargeError(
            f"{rdf_format.label} document does not fit in memory",
            SourceLocation(source),
            setting="max_document_triples",
            value=limits.max_document_triples,
        ) from e


def _parse_limited(
    data: bytes,
    rdf_format: RdfFormat,
    source: str,
    base_iri: str | None,
    limits: ParseLimits,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Graph:
    if rdf_format.name in ("yaml", "jsonld") or rdf_format.name in SPREADSHEET_FORMATS:
        if rdf_format.name in SPREADSHEET_FORMATS:
            graph = _parse_spreadsheet(data, rdf_format, source, limits, max_bytes)
            _check_triple_count(len(graph), limits, source)
        elif rdf_format.name == "yaml":
            graph = _parse_steward_yaml(data, source, limits)
            _check_triple_count(len(graph), limits, source)
        else:
            graph = _parse_jsonld(data, source, base_iri, limits)
        check_writable(graph, source, data)
        return graph
    if rdf_format.name == "rdfxml":
        check_xml_entities(data, source, limits)
        check_nesting(data, "xml", source, limits)
    elif rdf_format.name in ("turtle", "trig"):
        check_nesting(data, "turtle", source, limits)
    return _parse_with_rdflib(data, rdf_format, source, base_iri, limits)


def parse_file(
    path: Path,
    *,
    fmt: RdfFormat | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
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
        data,
        rdf_format,
        source=source,
        base_iri=path.resolve().as_uri(),
        max_bytes=max_bytes,
        limits=limits,
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
    paths: Iterable[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[Path, Graph | InputError]]:
    """Each file below ``paths`` with its graph, or the error that made it unusable."""
    for path in expand_paths(paths):
        try:
            yield path, parse_file(path, max_bytes=max_bytes, limits=limits)
        except InputError as e:
            yield path, e


# -- format-specific paths ---------------------------------------------------------------


def _new_graph() -> Graph:
    # No prefixes bound: binding costs more than parsing a small document, and records get
    # theirs when split (see gdcat.rdf.records); bind before serialising a parsed graph.
    # A parsed document is one plain graph (named graphs merged): rdflib's context-free
    # store holds it, adding and listing triples in half the time of the default one.
    return Graph(store=SimpleMemory())


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
    data: bytes, rdf_format: RdfFormat, source: str, base_iri: str | None, limits: ParseLimits
) -> Graph:
    assert rdf_format.rdflib_parser is not None
    native = _OXIGRAPH_FORMATS.get(rdf_format.rdflib_parser)
    target: Graph
    if rdf_format.is_dataset and native is None:
        target = Dataset()
    elif native is not None:
        target = _new_graph()  # triples are counted as Oxigraph hands them over
    else:
        target = _counted_graph(limits, source)
    try:
        if native is not None:
            _parse_with_oxigraph(data, native, base_iri, target, limits, source)
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
        _check_triple_count(len(merged), limits, source)
        target = merged
    return plain_string_literals(target)


class _CountedStore(Memory):
    """rdflib's in-memory store, refusing triples past the document limit as a parser adds
    them (rdflib's JSON-LD parser writes through a graph of its own over the store)."""

    def __init__(self, limits: ParseLimits, source: str) -> None:
        super().__init__()
        self._limits = limits
        self._source = source
        self._added = 0

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        self._added += 1
        if self._added > self._limits.max_document_triples:
            _check_triple_count(self._added, self._limits, self._source)
        super().add(triple, context, quoted)


def _counted_graph(limits: ParseLimits, source: str) -> Graph:
    return Graph(store=_CountedStore(limits, source))


def _check_triple_count(count: int, limits: ParseLimits, source: str) -> None:
    if count > limits.max_document_triples:
        raise DocumentTooLargeError(
            f"the document holds more than {limits.max_document_triples:,} triples: "
            "split it into smaller documents",
            SourceLocation(source),
            setting="max_document_triples",
            value=limits.max_document_triples,
        )


def _document_terms(
    refuse: Callable[[str], None] | None,
) -> Callable[[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple], Node]:
    """rdflib terms for the Oxigraph terms of one document: each IRI made once; each blank
    node label a fresh node of this document's (Oxigraph keeps a document's labels, and
    "_:b0" of two documents merged later are not one node); each new IRI and every literal
    shown to ``refuse`` first, when given. RDF-star quoted triples are refused."""
    iris: dict[str, URIRef] = {}
    blanks: dict[str, BNode] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(value, ox.NamedNode):
            known = iris.get(value.value)
            if known is None:
                if refuse is not None:
                    refuse(value.value)
                known = iris[value.value] = URIRef(value.value)
            return known
        if isinstance(value, ox.BlankNode):
            blank = blanks.get(value.value)
            if blank is None:
                blank = blanks[value.value] = BNode()
            return blank
        if isinstance(value, ox.Triple):
            raise ValueError("RDF-star quoted triples are not supported")
        if refuse is not None:
            refuse(value.value)
        return ox_to_rdflib(value)

    return term


def _parse_with_oxigraph(
    data: bytes,
    fmt: ox.RdfFormat,
    base_iri: str | None,
    target: Graph,
    limits: ParseLimits,
    source: str,
) -> None:
    """Every triple (named graphs merged) into ``target``, simple literals plain (see
    :func:`plain_string_literals`); reading stops past the triple limit."""
    unsafe = _XML_UNSAFE.search

    def refuse(text: str) -> None:
        if unsafe(text):
            _refuse_unwritable(text, data, source)

    term = _document_terms(refuse)
    limit = limits.max_document_triples

    def triples() -> Iterator[tuple[Node, Node, Node, Graph]]:
        # Oxigraph hands triples over as it reads them: reading stops past the limit.
        for count, t in enumerate(ox.parse(data, fmt, base_iri=base_iri), 1):
            if count > limit:
                _check_triple_count(count, limits, source)
            yield term(t.subject), term(t.predicate), term(t.object), target

    target.addN(triples())


def read_predicates(
    data: bytes,
    fmt: RdfFormat,
    *,
    base_iri: str | None,
    predicates: frozenset[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Graph | None:
    """The triples of a document whose predicate is one of ``predicates``, read by Oxigraph
    as :func:`parse_bytes` reads it (the same terms), without building the rest; None when
    :func:`parse_bytes` reads the format otherwise or would refuse the document before or
    while reading it (its size, its nesting, its entities, a syntax error, a triple past the
    limit, an RDF-star triple), so that the caller parses it for the reason.

    Checks of a document read whole (characters an XML document cannot carry) are not made:
    a document this reads may still be refused by :func:`parse_bytes`.
    """
    native = _OXIGRAPH_FORMATS.get(fmt.rdflib_parser or "")
    if native is None or len(data) > max_bytes:
        return None
    try:
        if fmt.name == "rdfxml":
            check_xml_entities(data, "", limits)
            check_nesting(data, "xml", "", limits)
        elif fmt.name in ("turtle", "trig"):
            check_nesting(data, "turtle", "", limits)
    except InputError:
        return None
    graph = _new_graph()
    term = _document_terms(None)
    limit = limits.max_document_triples
    try:
        for count, t in enumerate(ox.parse(data, native, base_iri=base_iri), 1):
            subject, obj = t.subject, t.object
            if count > limit or isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
                return None
            predicate = t.predicate.value
            if predicate in predicates:
                graph.add((term(subject), term(t.predicate), term(obj)))
    except (SyntaxError, ValueError, OSError):
        return None
    return graph


def plain_string_literals(graph: Graph) -> Graph:
    """Write ``"x"^^xsd:string`` as the simple literal ``"x"`` (the same term in RDF 1.1).

    Oxigraph's parsers type every simple literal explicitly; rdflib's own parsers do not, and
    rdflib compares the two forms as different terms. One form keeps hashes, isomorphism
    checks and Turtle output the same whichever parser read the document.
    """
    string = XSD.string  # read once, not once a triple (a namespace's lookup is slow)
    typed = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.datatype == string]
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


# -- limits checked before a parser sees the document ---------------------------------------

_ENTITY_OPEN = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(
    rb"<!ENTITY\s+(?:%\s*)?([^\s\"'>%]+)\s+(?:\"([^\"]*)\"|'([^']*)'|(SYSTEM|PUBLIC)\b)",
    re.IGNORECASE,
)
_ENTITY_REFERENCE = re.compile(rb"&([A-Za-z_:][^\s&;<>\"'#]*);")


def check_xml_entities(data: bytes, source: str, limits: ParseLimits) -> None:
    """Refuse an RDF/XML document whose entities are external, too many or expand too far.

    Internal entities stay allowed (OWL files abbreviate namespaces with them). Every
    ``<!ENTITY`` anywhere in the document counts (Oxigraph reads a DOCTYPE wherever it
    comes), and the budget covers what the parser builds: each declared entity's value with
    the references in it expanded (Oxigraph expands a declaration as it reads it), plus every
    reference in the rest of the document.
    """
    openings = list(_ENTITY_OPEN.finditer(data))
    if len(openings) > limits.max_xml_entities:
        extra = openings[limits.max_xml_entities]
        raise DocumentTooComplexError(
            f"RDF/XML declares {len(openings):,} entities, more than "
            f"{limits.max_xml_entities:,}: write the values out instead",
            _location(data, source, extra.start()),
            setting="max_xml_entities",
            value=limits.max_xml_entities,
        )
    if not openings:
        return
    values: dict[bytes, bytes] = {}
    declarations = list(_ENTITY_DECLARATION.finditer(data))
    for match in declarations:
        name = match.group(1)
        if match.group(4) is not None:
            raise ForbiddenNetworkAccessError(
                f"RDF/XML declares an external entity {name.decode('utf-8', 'replace')!r} "
                f"({match.group(4).decode()}); gdcat never resolves external entities: "
                "inline the value instead",
                _location(data, source, match.start()),
            )
        value = match.group(2) if match.group(2) is not None else match.group(3)
        # a name declared twice: count the larger value (which one a parser keeps varies)
        if len(value) >= len(values.get(name, b"")):
            values[name] = value
    budget = limits.max_xml_entity_expansion
    sizes: dict[bytes, int] = {}

    def expanded(name: bytes, within: tuple[bytes, ...]) -> int:
        known = sizes.get(name)
        if known is not None:
            return known
        if name in within:
            loop = " -> ".join(n.decode("utf-8", "replace") for n in (*within, name))
            raise RdfSyntaxError(
                f"RDF/XML entities refer to each other in a loop ({loop})",
                SourceLocation(source),
            )
        value = values[name]
        size = len(value)
        for ref in _ENTITY_REFERENCE.finditer(value):
            if ref.group(1) in values:
                size += expanded(ref.group(1), (*within, name)) - len(ref.group(0))
        sizes[name] = size
        return size

    def too_large(position: int) -> DocumentTooLargeError:
        return DocumentTooLargeError(
            f"the entities of this RDF/XML document expand to more than {budget:,} bytes: "
            "write the values out instead",
            _location(data, source, position),
            setting="max_xml_entity_expansion",
            value=budget,
        )

    total = 0
    for match in declarations:
        total += expanded(match.group(1), ())
        if total > budget:
            raise too_large(match.start())
    for ref in _ENTITY_REFERENCE.finditer(data):
        if any(m.start() <= ref.start() < m.end() for m in declarations):
            continue  # counted with its declaration
        size = sizes.get(ref.group(1))
        if size is not None:
            total += size
            if total > budget:
                raise too_large(ref.start())


# Every token that opens (a string, an IRI, a comment, a tag) ends where it closes or, left
# open, where it could still close (the end of the line for a short Turtle string, the end of
# the document otherwise), and is read without backtracking (possessive repeats): a match
# that could fail after reading far, or read the same text several ways, made an unclosed
# string cost time exponential in its length (a JSON string of 40 characters: hours) and an
# unclosed tag time quadratic in the document's size. An unclosed string or tag stops the
# parser there, so nothing after it is nested for real.
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*+(?:"""|\\?\Z)'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)"
    rb'|"(?:[^"\\\n\r]|\\.)*+(?:"|(?=[\n\r])|\\?\Z)'
    rb"|'(?:[^'\\\n\r]|\\.)*+(?:'|(?=[\n\r])|\\?\Z)"
    rb"|<[^<>\s]*>"
    rb"|#[^\n\r]*"
    rb"|\\."
    rb"|[\[\](){}]",
    re.DOTALL,
)
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
#: a quoted value inside a tag or declaration, closed or running to the end
_XML_QUOTED = rb"\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)"
_XML_TOKENS = re.compile(
    rb"<!--.*?(?:-->|\Z)"
    rb"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    rb"|<\?.*?(?:\?>|\Z)"
    rb"|<!(?:" + _XML_QUOTED + rb"|[^\"'>])*+(?:>|\Z)"
    rb"|</[^>]*+(?:>|\Z)"
    rb"|<(?:" + _XML_QUOTED + rb"|[^\"'>])*+(?:>|\Z)",
    re.DOTALL,
)
_OPENING = frozenset(b"[({")


def check_nesting(data: bytes, syntax: str, source: str, limits: ParseLimits) -> None:
    """Refuse a document nested deeper than the limit, before a parser builds the nesting.

    ``syntax`` is ``turtle`` (brackets, collections and graph blocks of Turtle and TriG),
    ``json`` (arrays and objects) or ``xml`` (elements). Strings, IRIs and comments are
    skipped: the count is exact for well-formed documents.
    """
    limit = limits.max_nesting_depth
    depth = 0
    if syntax == "xml":
        for match in _XML_TOKENS.finditer(data):
            token = match.group(0)
            second = token[1:2]
            if second in (b"!", b"?"):
                continue
            if second == b"/":
                depth = max(depth - 1, 0)
            elif not token.endswith(b"/>"):
                depth += 1
                if depth > limit:
                    raise _too_deep(data, source, match.start(), limit, "XML elements")
        return
    tokens, what = (
        (_TURTLE_TOKENS, "brackets, collections or graph blocks")
        if syntax == "turtle"
        else (_JSON_TOKENS, "arrays or objects")
    )
    if sum(data.count(c) for c in (b"[", b"(", b"{")) <= limit:
        return  # cannot nest deeper than it has openings
    for match in tokens.finditer(data):
        token = match.group(0)
        if len(token) != 1:
            continue
        if token[0] in _OPENING:
            depth += 1
            if depth > limit:
                raise _too_deep(data, source, match.start(), limit, what)
        else:
            depth = max(depth - 1, 0)


def _too_deep(
    data: bytes, source: str, position: int, limit: int, what: str
) -> DocumentTooComplexError:
    return DocumentTooComplexError(
        f"{what} nested more than {limit} levels deep",
        _location(data, source, position),
        setting="max_nesting_depth",
        value=limit,
    )


def _location(data: bytes, source: str, position: int) -> SourceLocation:
    line = data.count(b"\n", 0, position) + 1
    column = position - (data.rfind(b"\n", 0, position) + 1) + 1
    return SourceLocation(source, line, column)


#: Characters XML 1.0 cannot carry, not even as character references.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_unsafe_character(text: str) -> str | None:
    """The first character of ``text`` that XML 1.0 cannot carry, or None."""
    match = _XML_UNSAFE.search(text)
    return match.group(0) if match else None


def xml_safe_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_UNSAFE.sub("\ufffd", text)


def check_writable(graph: Graph, source: str, data: bytes = b"") -> None:
    """Refuse a graph with a literal or IRI holding a character XML cannot carry (for graphs
    not read by :func:`parse_bytes`, such as a Beacon's description built from its JSON)."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef | Literal) and _XML_UNSAFE.search(term):
                _refuse_unwritable(str(term), data, source)


def _refuse_unwritable(text: str, data: bytes, source: str) -> None:
    """Refuse a literal or IRI holding a character XML cannot carry: stored, it would make
    every RDF/XML and SPARQL XML answer that includes it ill-formed."""
    char = xml_unsafe_character(text)
    if char is None:
        return
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise RdfSyntaxError(
        f"{shown!r} holds the character U+{ord(char):04X}, which XML cannot carry "
        "(RDF/XML and SPARQL XML answers would be ill-formed): remove it",
        _char_location(data, char, source),
    )


def _char_location(data: bytes, char: str, source: str) -> SourceLocation:
    """Where the document writes ``char`` (itself or as an escape), when that can be found."""
    code = ord(char)
    spellings = [
        re.escape(f"\\u{code:04x}".encode()),
        re.escape(f"\\U{code:08x}".encode()),
        re.escape(f"&#{code};".encode()),
        re.escape(f"&#x{code:x};".encode()),
    ]
    if code == 0:
        spellings.append(rb"\\0|\\x00")
    if not 0xD800 <= code <= 0xDFFF:
        spellings.append(re.escape(char.encode("utf-8")))
    match = re.search(b"|".join(spellings), data, re.IGNORECASE)
    if match is None:
        return SourceLocation(source)
    return _location(data, source, match.start())


def load_json(data: bytes, *, source: str, limits: ParseLimits = DEFAULT_LIMITS) -> Any:
    """A JSON document (JSON-LD, a node's Beacon or SPARQL JSON answer) read under the nesting
    limit; every failure is an :class:`InputError` with the position where known."""
    check_nesting(data, "json", source, limits)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise RdfSyntaxError(f"JSON is not UTF-8: {e.reason}", SourceLocation(source)) from e
    except json.JSONDecodeError as e:
        raise RdfSyntaxError(
            f"malformed JSON: {e.msg}", SourceLocation(source, e.lineno, e.colno)
        ) from e
    except ValueError as e:  # a number too long to read (Python's integer digit limit)
        raise RdfSyntaxError(f"unreadable JSON: {e}", SourceLocation(source)) from e
    except RecursionError as e:
        raise _too_deep(data, source, 0, limits.max_nesting_depth, "arrays or objects") from e


def _parse_jsonld(data: bytes, source: str, base_iri: str | None, limits: ParseLimits) -> Graph:
    document = load_json(data, source=source, limits=limits)
    document = _inline_contexts(document, source)
    graph = _counted_graph(limits, source)
    try:
        graph.parse(data=json.dumps(document), format="json-ld", publicID=base_iri)
    except InputError:
        raise
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


def _parse_spreadsheet(
    data: bytes, rdf_format: RdfFormat, source: str, limits: ParseLimits, max_bytes: int
) -> Graph:
    from gdcat.model.spreadsheet import load_spreadsheet

    return load_spreadsheet(data, rdf_format.name, source, max_bytes=max_bytes, limits=limits)


def _parse_steward_yaml(data: bytes, source: str, limits: ParseLimits) -> Graph:
    from gdcat.model.steward import load_steward_yaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RdfSyntaxError(f"YAML is not UTF-8: {e.reason}", SourceLocation(source)) from e
    return load_steward_yaml(text, source, limits=limits)
