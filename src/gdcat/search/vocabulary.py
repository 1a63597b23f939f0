"""What search knows of the vocabularies: labels of facet values and the hierarchies of HPO,
ORDO and MONDO (for "this term or a narrower one").

Read once when the index opens, from the vendored files under ``ontologies/`` (pyoxigraph
parses them): the ontology slices give ``rdfs:subClassOf`` between named classes (and
``owl:equivalentClass`` / ``skos:exactMatch`` between them, read both ways), labels come from
``skos:prefLabel`` or ``rdfs:label`` in English or without a language. :attr:`digest` changes
whenever one of the files does, so an index built with other hierarchies is rebuilt.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from gdcat.errors import GdcatError
from gdcat.paths import ontologies_dir

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SUBCLASS = _RDFS + "subClassOf"
_BROADER = _SKOS + "broader"
_EQUIVALENT = (_OWL + "equivalentClass", _SKOS + "exactMatch")
_LABELS = (_SKOS + "prefLabel", _RDFS + "label")

#: Folders (under ``ontologies/vocabularies``) whose hierarchies the filters follow.
HIERARCHIES = ("hpo", "ordo", "mondo")
#: Files read for labels only (relative to ``ontologies/``).
LABEL_FILES = (
    "gdcat-vocabularies.ttl",
    "vocabularies/eu-authority-tables/countries-skos.en.nt.gz",
    "vocabularies/eu-authority-tables/access-right-skos.rdf",
    "vocabularies/healthdcat-ap-r8/healthcategories.en.ttl",
    "vocabularies/duo/duo.owl",
)

_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    (".nt.gz", ox.RdfFormat.N_TRIPLES),
    (".ttl.gz", ox.RdfFormat.TURTLE),
    (".nt", ox.RdfFormat.N_TRIPLES),
    (".ttl", ox.RdfFormat.TURTLE),
    (".rdf", ox.RdfFormat.RDF_XML),
    (".owl", ox.RdfFormat.RDF_XML),
)


class VocabularyError(GdcatError):
    """A vocabulary file search needs is missing or unreadable."""


@dataclass
class Vocabulary:
    """Labels by IRI and the broader-term graph of the disease and phenotype ontologies."""

    labels: dict[str, str] = field(default_factory=dict)
    #: term IRI -> its direct broader terms (and equivalents)
    broader: dict[str, set[str]] = field(default_factory=dict)
    digest: str = ""
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)

    def ancestors(self, iri: str) -> frozenset[str]:
        """Every broader term of ``iri`` (transitively, equivalents included), not ``iri``."""
        known = self._ancestors.get(iri)
        if known is not None:
            return known
        seen: set[str] = set()
        todo = list(self.broader.get(iri, ()))
        while todo:
            term = todo.pop()
            if term in seen or term == iri:
                continue
            seen.add(term)
            todo.extend(self.broader.get(term, ()))
        found = frozenset(seen)
        self._ancestors[iri] = found
        return found

    def closure(self, iris: Iterable[str]) -> set[str]:
        """The terms and all their ancestors."""
        out: set[str] = set()
        for iri in iris:
            out.add(iri)
            out |= self.ancestors(iri)
        return out

    def is_narrower_or_same(self, narrower: str, broader: str) -> bool:
        """True when ``narrower`` is ``broader`` or falls under it."""
        return narrower == broader or broader in self.ancestors(narrower)


def load_vocabulary(root: Path | None = None) -> Vocabulary:
    """Read labels and hierarchies from ``root`` (the project's ``ontologies/`` folder)."""
    root = root or ontologies_dir()
    vocabulary = Vocabulary()
    digest = hashlib.sha256()
    hierarchy_files = [
        path
        for name in HIERARCHIES
        for path in sorted((root / "vocabularies" / name).glob("*"))
        if _format(path) is not None
    ]
    label_files = [root / name for name in LABEL_FILES]
    for path in [*hierarchy_files, *label_files]:
        in_hierarchy = path in hierarchy_files
        for quad in _read(path, digest):
            _take(vocabulary, quad, in_hierarchy)
    vocabulary.digest = digest.hexdigest()
    return vocabulary


def _take(vocabulary: Vocabulary, quad: ox.Quad, in_hierarchy: bool) -> None:
    subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
    if not isinstance(subject, ox.NamedNode):
        return
    if predicate in _LABELS and isinstance(obj, ox.Literal):
        if obj.language in (None, "en"):
            # skos:prefLabel wins over rdfs:label; the first of each is kept
            current = vocabulary.labels.get(subject.value)
            if current is None or predicate == _LABELS[0]:
                vocabulary.labels[subject.value] = obj.value
        return
    if not in_hierarchy or not isinstance(obj, ox.NamedNode):
        return
    if predicate in (_SUBCLASS, _BROADER):
        vocabulary.broader.setdefault(subject.value, set()).add(obj.value)
    elif predicate in _EQUIVALENT:
        vocabulary.broader.setdefault(subject.value, set()).add(obj.value)
        vocabulary.broader.setdefault(obj.value, set()).add(subject.value)


def _format(path: Path) -> ox.RdfFormat | None:
    for suffix, fmt in _FORMATS:
        if path.name.endswith(suffix):
            return fmt
    return None


def _read(path: Path, digest: hashlib._Hash) -> Iterator[ox.Quad]:
    fmt = _format(path)
    if fmt is None:
        raise VocabularyError(f"not a vocabulary file gdcat reads: {path}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise VocabularyError(f"cannot read vocabulary {path}: {e}") from e
    digest.update(path.name.encode())
    digest.update(hashlib.sha256(data).digest())
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        yield from ox.parse(data, fmt, base_iri=path.as_uri())
    except SyntaxError as e:
        raise VocabularyError(f"vocabulary {path} is not valid RDF: {e}") from e
