"""A record's triples carried as N-Triples text, and the rdflib graph read from that text.

A harvest's parsing processes hand each record over as the N-Triples lines the store's
:class:`~gdcat.store.quads.QuadWriter` writes (one triple a line, blank nodes labelled for
that record alone). Most of what happens to a changed record needs no rdflib graph: the store
writes the lines as they are, and the validator sends them to its worker processes as text
(:meth:`gdcat.validate.Validator.validate_many`). So a record's graph is read from the text
only when something asks for it (:func:`lazy_record_graph`), and then over
:class:`RecordTriples`, a list-backed store that costs an append a triple.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from gdcat.rdf.terms import ox_to_rdflib_cached, rdflib_iri

__all__ = [
    "RecordTriples",
    "lazy_record_graph",
    "ntriples_graph",
    "ntriples_lines",
    "ntriples_triples",
    "share_iris",
]

Triple = tuple[Node, Node, Node]


class RecordTriples(Store):
    """The store of a record graph built from N-Triples: its triples in a list (and a set),
    matched by scanning. A record is tens of triples and is only read (its roots and closure
    for validation, the values the counts read), so a scan costs little, while adding a triple
    costs an append: rdflib's memory stores index every triple three ways and dispatch an
    event for it, which made building the graphs of changed records 40% of the harvester's
    time."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self) -> None:
        super().__init__()
        self._list: list[Triple] = []
        self._set: set[Triple] = set()

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:
        if triple not in self._set:
            self._set.add(triple)
            self._list.append(triple)

    def addN(self, quads: Any) -> None:
        for s, p, o, _ in quads:
            self.add((s, p, o), None)

    def remove(self, triple: Any, context: Any = None) -> None:
        gone = {t for t, _ in self.triples(triple)}
        if gone:
            self._list = [t for t in self._list if t not in gone]  # a new list: scans go on
            self._set -= gone

    def triples(
        self, triple_pattern: Any, context: Any = None
    ) -> Iterator[tuple[Triple, Iterator[Any]]]:
        s, p, o = triple_pattern
        if s is not None and p is not None and o is not None:
            if (s, p, o) in self._set:
                yield (s, p, o), iter(())
            return
        for t in self._list:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t, iter(())

    def __len__(self, context: Any = None) -> int:
        return len(self._list)

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        yield from ()


class LazyRecordTriples(RecordTriples):
    """:class:`RecordTriples` filled from N-Triples text the first time anything reads or
    changes it: a record nobody reads as a graph never pays for its rdflib terms."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def _fill(self) -> None:
        text, self._text = self._text, None
        if text is not None:
            for triple in ntriples_triples(text):
                RecordTriples.add(self, triple, None)

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:
        self._fill()
        super().add(triple, context, quoted)

    def remove(self, triple: Any, context: Any = None) -> None:
        self._fill()
        super().remove(triple, context)

    def triples(
        self, triple_pattern: Any, context: Any = None
    ) -> Iterator[tuple[Triple, Iterator[Any]]]:
        self._fill()
        return super().triples(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        self._fill()
        return super().__len__(context)


def ntriples_triples(text: str) -> Iterator[Triple]:
    """The triples of N-Triples ``text`` as rdflib terms, in the order of its lines, with
    blank nodes new to this call (two records never share one)."""
    lines = ntriples_lines(text)
    if lines is None:
        return _parsed_triples(text)
    return iter([line[3] for line in lines])


#: A line's terms as text (the object's as :func:`ntriples_lines` keys it) and as rdflib terms.
Line = tuple[str, str, str, Triple]

#: What ends an IRI early in N-Triples (and what :class:`~gdcat.store.quads.QuadWriter`
#: refuses to write in one).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_BLANK_LABEL = re.compile(r"_:[A-Za-z0-9_]+")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Datatypes of literals with a language (never written with ``^^``): left to Oxigraph.
_LANGUAGE_DATATYPES = frozenset(
    {
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"),
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"),
    }
)
#: Literals longer than this are made each time (as :func:`~gdcat.rdf.terms.ox_to_rdflib_cached`
#: keeps them).
_KEPT_LITERAL = 64
_MAX_KEPT = 1 << 16
#: IRI text (``<...>``) → its term; language tag as written → as Oxigraph reads it (None:
#: refused); literal text → its term and key (short literals only).
_iris: dict[str, URIRef | None] = {}
#: The IRIs of :func:`share_iris`, kept when the others are dropped.
_shared: dict[str, URIRef] = {}
_languages: dict[str, str | None] = {}
_literals: dict[str, tuple[Literal, str]] = {}
_UNKNOWN = object()


def ntriples_lines(text: str) -> list[Line] | None:
    """Every line of N-Triples ``text`` as ``(subject, predicate, object key, triple)``:
    the triple as :func:`ntriples_triples` reads it, its subject and predicate as written,
    and a key of its object that two lines share exactly when their objects are the same term
    (an IRI or a blank node as written; a literal as written, with its language tag as
    Oxigraph reads it, in lower case, and without an ``xsd:string`` datatype).

    This reads the lines the store's :class:`~gdcat.store.quads.QuadWriter` writes (one
    triple a line, single spaces, literals with one-character escapes only) as text, each term
    made once per process, instead of through Oxigraph's parser and a conversion per term.
    Every IRI is checked once as Oxigraph's parser checks it (the characters N-Triples refuses
    in one, then Oxigraph's own IRI check), every language tag once by the parser itself.
    Anything outside that form (a ``\\u`` escape, a comment, other spacing, a term Oxigraph
    refuses) gives None, and the text is read by Oxigraph (:func:`ntriples_triples` then
    does, and raises its errors)."""
    try:
        text.encode("utf-8")  # what Oxigraph is given: a text that cannot be is not read here
    except UnicodeError:
        return None
    blanks: dict[str, BNode] = {}
    iris = _iris
    out: list[Line] = []
    for line in text.split("\n"):
        if not line:
            continue
        if not line.endswith(" ."):
            return None
        parts = line[:-2].split(" ", 2)
        if len(parts) != 3:
            return None
        s, p, o = parts
        if s[:1] == "<":
            subject: Node | None = iris.get(s) or _iri(s)
        else:
            subject = _blank(s, blanks)
        predicate = (iris.get(p) or _iri(p)) if p[:1] == "<" else None
        key = o
        first = o[:1]
        if first == "<":
            obj: Node | None = iris.get(o) or _iri(o)
        elif first == '"':
            kept = _literals.get(o)
            if kept is None:
                kept = _literal(o)
                if kept is None:
                    return None
            obj, key = kept
        else:
            obj = _blank(o, blanks)
        if subject is None or predicate is None or obj is None:
            return None
        out.append((s, p, key, (subject, predicate, obj)))
    return out


def _parses(document: str) -> Any:
    """The triples Oxigraph's N-Triples parser reads from ``document``, or None when it
    refuses it."""
    try:
        return list(ox.parse(document.encode("utf-8"), ox.RdfFormat.N_TRIPLES))
    except Exception:
        return None


def share_iris(terms: Iterable[Node]) -> None:
    """Make the IRIs among ``terms`` the very terms :func:`ntriples_lines` gives for them
    (those it reads as written): a record's predicates and classes are then the shapes' own
    objects, and a dict keyed by one finds the other by identity, not through rdflib's
    ``__eq__`` (a Python call each time). Equal terms either way: nothing else changes."""
    for term in terms:
        if type(term) is URIRef:
            text = f"<{term}>"
            if _iri(text) is not None:
                _iris[text] = _shared[text] = term
    _literals.clear()  # their datatypes: the shared IRIs from now on


def _iri(text: str) -> URIRef | None:
    """The term of an IRI written ``<...>``, or None when it is not one Oxigraph reads as
    written (checked once per IRI)."""
    known = _iris.get(text, _UNKNOWN)  # one lookup: another thread may empty the cache
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    value = text[1:-1]
    term: URIRef | None = None
    if text[-1] == ">" and value and not _IRI_FORBIDDEN.search(value):
        try:
            ox.NamedNode(value)  # Oxigraph's IRI check, the one its parser makes
        except ValueError:
            pass
        else:
            term = rdflib_iri(value)
    if len(_iris) >= _MAX_KEPT:
        _iris.clear()
        _iris.update(_shared)
    _iris[text] = term
    return term


def _language(tag: str) -> str | None:
    """A language tag as Oxigraph reads it (lower case), or None when it refuses it."""
    known = _languages.get(tag, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    found = _parses(f'<x:s> <x:p> ""@{tag} .\n') if " " not in tag else None
    language = found[0].object.language if found else None
    if len(_languages) >= _MAX_KEPT:
        _languages.clear()
    _languages[tag] = language
    return language


def _literal(text: str) -> tuple[Literal, str] | None:
    """The term of a literal (``"..."``, ``"..."@tag`` or ``"..."^^<IRI>``, the escapes of
    :data:`_ESCAPES` only), as :func:`ox_to_rdflib_cached` makes it from Oxigraph's, and its
    key; None for any other."""
    end = text.rfind('"')  # neither a language tag nor an IRI holds one
    if end < 1:
        return None
    value = text[1:end]
    suffix = text[end + 1 :]
    escaped = "\\" in value
    if escaped:
        if not _ESCAPED_STRING.fullmatch(value):
            return None
        value = _ESCAPE.sub(_unescape, value)
    elif '"' in value or "\r" in value:
        return None
    if not suffix:
        term = Literal(value)
        key = f'"{value}"' if escaped else text
    elif suffix[0] == "@":
        language = _language(suffix[1:])
        if language is None:
            return None
        term = Literal(value, lang=language)
        key = f'"{value}"@{language}' if escaped or language != suffix[1:] else text
    elif suffix[:3] == "^^<":
        datatype = _iris.get(suffix[2:]) or _iri(suffix[2:])
        if datatype is None or datatype in _LANGUAGE_DATATYPES:
            return None
        if str(datatype) == _XSD_STRING:
            term = Literal(value)
            key = f'"{value}"'
        else:
            term = Literal(value, datatype=datatype)
            key = f'"{value}"{suffix}' if escaped else text
    else:
        return None
    if len(value) <= _KEPT_LITERAL:
        if len(_literals) >= _MAX_KEPT:
            _literals.clear()
        _literals[text] = (term, key)
    return term, key


#: N-Triples' escapes of one character (``ECHAR``), as QuadWriter writes quotes, backslashes
#: and line breaks; a literal with another (``\\u0041``) is read by Oxigraph.
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPED_STRING = re.compile(r'(?:[^"\\\r\n]|\\[tbnrf"\'\\])*')
_ESCAPE = re.compile(r"\\(.)")


def _unescape(match: re.Match[str]) -> str:
    return _ESCAPES[match.group(1)]


def _blank(text: str, blanks: dict[str, BNode]) -> BNode | None:
    """The blank node labelled ``text`` (``_:label``) in this text, or None when the label is
    not a plain one."""
    node = blanks.get(text)
    if node is None:
        if not _BLANK_LABEL.fullmatch(text):
            return None
        node = blanks[text] = BNode()
    return node


def _parsed_triples(text: str) -> Iterator[Triple]:
    """:func:`ntriples_triples` through Oxigraph's parser (any N-Triples text)."""
    blanks: dict[str, BNode] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(value, ox.NamedNode):
            return rdflib_iri(value.value)
        if isinstance(value, ox.BlankNode):
            blank = blanks.get(value.value)
            if blank is None:
                blank = blanks[value.value] = BNode()
            return blank
        if isinstance(value, ox.Triple):  # never written by QuadWriter
            raise ValueError("RDF-star quoted triples are not supported")
        return ox_to_rdflib_cached(value)

    for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES):
        yield term(t.subject), term(t.predicate), term(t.object)


def ntriples_graph(text: str) -> Graph:
    """The graph of N-Triples ``text``, read now, over :class:`RecordTriples`."""
    graph = Graph(store=RecordTriples())
    add = graph.store.add  # the terms are built here: nothing for Graph.add to check
    for triple in ntriples_triples(text):
        add(triple, graph)
    return graph


def lazy_record_graph(text: str) -> Graph:
    """The graph of N-Triples ``text``, read when first used (:class:`LazyRecordTriples`)."""
    return Graph(store=LazyRecordTriples(text))
