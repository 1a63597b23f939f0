"""Background vocabularies for SHACL: only what a record names, never whole vocabularies.

The authority-table checks of DCAT-AP and HealthDCAT-AP (``skos:inScheme`` of a theme, a
frequency, an access right...) need the vocabularies, but merging them into the data graph
makes pySHACL crawl (whole vocabularies did not finish in minutes) and makes shapes fire on
every vocabulary node. So each validation gets a *validation copy*: the record graph plus the
vocabulary triples whose subject is an IRI the record references, plus the ``rdf:type`` of the
scheme of each such concept (``sh:class skos:ConceptScheme`` needs it). The runner counts only
results whose focus node belongs to a record; results on the added nodes are dropped.

Vocabularies are read once per process (pyoxigraph parses them; rdflib terms are built once)
and indexed by subject. Only English and untagged literals are kept: labels in other
languages play no part in validation and would multiply the memory used.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from gdcat.errors import GdcatError
from gdcat.paths import ontologies_dir
from gdcat.rdf.terms import ox_to_rdflib

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]

#: File name endings gdcat reads as vocabularies, with their pyoxigraph format.
_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    (".nt.gz", ox.RdfFormat.N_TRIPLES),
    (".ttl.gz", ox.RdfFormat.TURTLE),
    (".rdf.gz", ox.RdfFormat.RDF_XML),
    (".nt", ox.RdfFormat.N_TRIPLES),
    (".ttl", ox.RdfFormat.TURTLE),
    (".rdf", ox.RdfFormat.RDF_XML),
    (".owl", ox.RdfFormat.RDF_XML),
)

#: gdcat's own concept schemes (written by the model generator), read when present.
OWN_VOCABULARIES = "gdcat-vocabularies.ttl"


@dataclass(frozen=True)
class Background:
    """The vocabulary triples added to one validation copy, and the subjects they describe."""

    triples: tuple[Triple, ...]
    subjects: frozenset[Node]


@dataclass(frozen=True)
class VocabularyIndex:
    """Vocabulary triples by subject IRI, read-only once built."""

    by_subject: Mapping[URIRef, tuple[Triple, ...]]
    #: ``rdf:type`` triples of every concept scheme some concept is ``skos:inScheme`` of.
    scheme_types: Mapping[URIRef, tuple[Triple, ...]]
    files: tuple[str, ...]

    def __len__(self) -> int:
        return sum(len(triples) for triples in self.by_subject.values())

    def describes(self, node: Node) -> bool:
        """True when some vocabulary says something about ``node``."""
        return isinstance(node, URIRef) and node in self.by_subject

    def background_for(self, triples: Iterable[Triple]) -> Background:
        """The vocabulary triples about the IRIs used (as subject or object) in ``triples``."""
        referenced: set[URIRef] = set()
        for s, _, o in triples:
            if isinstance(s, URIRef):
                referenced.add(s)
            if isinstance(o, URIRef):
                referenced.add(o)
        added: list[Triple] = []
        subjects: set[Node] = set()
        schemes: set[URIRef] = set()
        for iri in referenced:
            described = self.by_subject.get(iri)
            if not described:
                continue
            added.extend(described)
            subjects.add(iri)
            for _, p, o in described:
                if p == SKOS.inScheme and isinstance(o, URIRef):
                    schemes.add(o)
        for scheme in schemes - referenced:
            types = self.scheme_types.get(scheme)
            if types:
                added.extend(types)
                subjects.add(scheme)
        return Background(tuple(added), frozenset(subjects))


def vocabulary_files(root: Path | None = None) -> tuple[Path, ...]:
    """The vocabulary files gdcat loads: ``ontologies/vocabularies/**`` and its own schemes."""
    base = ontologies_dir() if root is None else root
    found = [
        path
        for path in sorted((base / "vocabularies").rglob("*"))
        if path.is_file() and _format_of(path) is not None
    ]
    own = base / OWN_VOCABULARIES
    if own.is_file():
        found.append(own)
    return tuple(found)


def _format_of(path: Path) -> ox.RdfFormat | None:
    name = path.name.lower()
    for suffix, fmt in _FORMATS:
        if name.endswith(suffix):
            return fmt
    return None


def _read(path: Path) -> Iterable[ox.Triple]:
    fmt = _format_of(path)
    if fmt is None:
        return ()
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                return list(ox.parse(stream.read(), format=fmt))
        return list(ox.parse(path=path, format=fmt))
    except (OSError, SyntaxError, ValueError) as e:
        raise GdcatError(f"cannot read vocabulary {path}: {e}") from e


class _Described(Mapping[URIRef, tuple[Triple, ...]]):
    """Vocabulary triples by subject IRI, as Oxigraph read them, made into rdflib terms the
    first time their subject is asked for (each subject's triples once, in the order read,
    each triple once).

    A validation asks for the few hundred IRIs its records name, of the ~35,000 subjects the
    vocabularies describe: making every term at start (an rdflib IRI or literal costs
    microseconds) was most of the second each process took to read the vocabularies."""

    def __init__(self, raw: dict[str, list[ox.Triple]]) -> None:
        self._raw = raw
        self._made: dict[str, tuple[Triple, ...]] = {}
        self._iris: dict[str, URIRef] = {}

    def _iri(self, text: str) -> URIRef:
        iri = self._iris.get(text)
        if iri is None:
            iri = self._iris[text] = URIRef(text)
        return iri

    def _triples(self, text: str) -> tuple[Triple, ...]:
        made = self._made.get(text)
        if made is None:
            iri = self._iri
            found: dict[Triple, None] = {}
            for t in self._raw[text]:
                obj = t.object
                o: Node
                if isinstance(obj, ox.NamedNode):
                    o = iri(obj.value)
                elif isinstance(obj, ox.Literal):
                    o = ox_to_rdflib(obj)
                else:  # never kept
                    continue
                found[(iri(text), iri(t.predicate.value), o)] = None
            made = self._made[text] = tuple(found)
        return made

    def __getitem__(self, key: URIRef) -> tuple[Triple, ...]:
        # the keys are rdflib IRIs: a key of another type (a literal of the same text, a
        # subclass) is never equal to one
        if type(key) is not URIRef or str(key) not in self._raw:
            raise KeyError(key)
        return self._triples(str(key))

    def __contains__(self, key: object) -> bool:
        return type(key) is URIRef and str(key) in self._raw

    def __iter__(self) -> Iterator[URIRef]:
        for text in self._raw:
            yield self._iri(text)

    def __len__(self) -> int:
        return len(self._raw)


def build_index(files: Iterable[Path]) -> VocabularyIndex:
    """Read ``files`` into a :class:`VocabularyIndex` (its terms made when asked for:
    :class:`_Described`)."""
    raw: dict[str, list[ox.Triple]] = {}
    names = []
    for path in files:
        names.append(str(path))
        for triple in _read(path):
            obj = triple.object
            if isinstance(obj, ox.Literal):
                if obj.language and obj.language.lower() != "en":
                    continue
            elif not isinstance(obj, ox.NamedNode):
                continue  # blank nodes (OWL restrictions and the like): never needed
            subject = triple.subject
            if not isinstance(subject, ox.NamedNode) or not isinstance(
                triple.predicate, ox.NamedNode
            ):
                continue
            found = raw.get(subject.value)
            if found is None:
                found = raw[subject.value] = []
            found.append(triple)
    described = _Described(raw)
    scheme_types: dict[URIRef, tuple[Triple, ...]] = {}
    in_scheme = str(SKOS.inScheme)
    for triples in raw.values():
        for t in triples:
            obj = t.object
            if t.predicate.value == in_scheme and isinstance(obj, ox.NamedNode):
                scheme = URIRef(obj.value)
                if scheme not in scheme_types:
                    scheme_types[scheme] = tuple(
                        t for t in described.get(scheme, ()) if t[1] == RDF.type
                    )
    return VocabularyIndex(described, scheme_types, tuple(names))


def vocabulary_index(root: Path | None = None) -> VocabularyIndex:
    """The index of every vocabulary under ``ontologies/`` (read once per process and folder)."""
    return _index_for(ontologies_dir() if root is None else root)


@cache
def _index_for(root: Path) -> VocabularyIndex:
    index = build_index(vocabulary_files(root))
    if log.isEnabledFor(logging.DEBUG):  # counting makes every term
        log.debug("vocabulary index: %d triples from %d files", len(index), len(index.files))
    return index


def validation_copy(graph: Graph, index: VocabularyIndex | None = None) -> tuple[Graph, Background]:
    """``graph`` plus the vocabulary triples it needs, as a new graph (``graph`` is untouched)."""
    vocabularies = vocabulary_index() if index is None else index
    background = vocabularies.background_for(graph)
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=False)
    for triple in graph:
        copy.add(triple)
    for triple in background.triples:
        copy.add(triple)
    return copy, background
