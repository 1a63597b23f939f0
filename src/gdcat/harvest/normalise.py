"""Normalising harvested records before they are hashed and validated.

- **IRI variants of shared vocabularies.** Nodes write the EU authority tables as
  ``https://publications.europa.eu/resource/authority/…`` or with the Publications Office's
  acceptance host, and HealthDCAT-AP's namespace with ``https``; the shapes and the search know
  one spelling (``http://publications.europa.eu/resource/authority/…``,
  ``http://healthdataportal.eu/ns/health#``), so the variants are rewritten, wherever they
  appear (object or predicate).
- **Integer datatypes rewritten by the node's store.** A node backed by Oxigraph (or another
  store that canonicalises integer types) serves ``"5"^^xsd:integer`` where its steward wrote
  ``xsd:nonNegativeInteger``; where the model gives the predicate an integer-derived type, that
  type is restored (the same rule the store applies on reading back, see
  :mod:`gdcat.store.datatypes`).
- **Series typed as datasets.** ``a dcat:Dataset`` on a ``dcat:DatasetSeries`` (what DCAT 3
  entails, and what gdcat's own feed and pages write for clients that do no inference) is
  dropped: validation follows the class hierarchy without it, and kept it would make the
  series a target of the dataset shapes.
- **Controlled terms described from the shipped vocabularies.** What gdcat's own feed and
  pages add about the terms a record uses (their class, scheme and label, for clients that do
  no inference: :mod:`gdcat.validate.term_descriptions`) is dropped likewise: gdcat's
  validation reads the same vocabularies, and gdcat writes them again when it re-publishes.
- **Crosswalks** named in the node's registry entry (``gdi-healthdcat``: a GDI-model record
  completed for HealthDCAT-AP Release 8, see :mod:`gdcat.validate.crosswalk`).
- **Beacon links.** A Beacon's ``gdcat:servesDatasetIdentifier`` values become
  ``dcat:servesDataset`` links to the catalogued datasets with that ``dct:identifier``.

Normalising happens before hashing, so a node that flips between variants does not look
changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD
from rdflib.term import Node

from gdcat.sources.beacon import SERVES_IDENTIFIER
from gdcat.store.datatypes import restorable_datatypes
from gdcat.validate.crosswalk import gdi_to_healthdcat
from gdcat.validate.term_descriptions import restated

DATASET_SERIES = URIRef(f"{DCAT}DatasetSeries")

#: Spelling variants and the IRI prefix gdcat uses instead.
IRI_VARIANTS: tuple[tuple[str, str], ...] = (
    (
        "https://publications.europa.eu/resource/authority/",
        "http://publications.europa.eu/resource/authority/",
    ),
    (
        "http://publications.acceptance.europa.eu/resource/authority/",
        "http://publications.europa.eu/resource/authority/",
    ),
    (
        "https://publications.acceptance.europa.eu/resource/authority/",
        "http://publications.europa.eu/resource/authority/",
    ),
    ("https://healthdataportal.eu/ns/health#", "http://healthdataportal.eu/ns/health#"),
    ("https://w3id.org/healthdcatap#", "http://healthdataportal.eu/ns/health#"),
)

CROSSWALKS: Mapping[str, Callable[[Graph], Graph]] = {"gdi-healthdcat": gdi_to_healthdcat}


def canonical_iri(iri: str) -> str:
    for variant, canonical in IRI_VARIANTS:
        if iri.startswith(variant):
            return canonical + iri[len(variant) :]
    return iri


def _canonical(node: Node) -> Node:
    if isinstance(node, URIRef):
        fixed = canonical_iri(str(node))
        if fixed != node:
            return URIRef(fixed)
    return node


def _integer_type(p: Node, o: Node) -> Node:
    if isinstance(o, Literal) and o.datatype == XSD.integer:
        expected = restorable_datatypes().get(str(p))
        if expected is not None:
            return Literal(str(o), datatype=URIRef(expected.value))
    return o


def normalise(graph: Graph) -> Graph:
    """``graph`` with vocabulary IRI variants rewritten and integer datatypes restored, in
    place (the graph is returned)."""
    variants = tuple(variant for variant, _ in IRI_VARIANTS)
    integer_typed = restorable_datatypes()
    integer = XSD.integer  # read once, not once a triple (a namespace's lookup is slow)
    fixes = [
        (s, p, o)
        for s, p, o in graph
        if (isinstance(o, URIRef) and str.startswith(o, variants))
        or (isinstance(p, URIRef) and str.startswith(p, variants))
        or (isinstance(s, URIRef) and str.startswith(s, variants))
        or (isinstance(o, Literal) and o.datatype == integer and str(p) in integer_typed)
    ]
    for s, p, o in fixes:
        graph.remove((s, p, o))
        graph.add((_canonical(s), _canonical(p), _integer_type(p, _canonical(o))))
    for series in list(graph.subjects(RDF.type, DATASET_SERIES)):
        graph.remove((series, RDF.type, DCAT.Dataset))
    for restatement in restated(graph):
        graph.remove(restatement)
    return graph


def apply_crosswalks(graph: Graph, names: Iterable[str]) -> Graph:
    for name in names:
        graph = CROSSWALKS[name](graph)
    return graph


def link_beacon_datasets(
    graph: Graph, resolve: Callable[[Sequence[str]], Mapping[str, str]]
) -> tuple[Graph, list[str]]:
    """Replace ``gdcat:servesDatasetIdentifier`` with ``dcat:servesDataset`` links.

    ``resolve`` maps identifiers to dataset IRIs; the identifiers it cannot place are
    returned (they are reported, and dropped from the record).
    """
    pairs = [(s, str(o)) for s, o in graph.subject_objects(SERVES_IDENTIFIER)]
    if not pairs:
        return graph, []
    found = resolve(sorted({identifier for _, identifier in pairs}))
    missing: list[str] = []
    for subject, identifier in pairs:
        graph.remove((subject, SERVES_IDENTIFIER, None))
        iri = found.get(identifier)
        if iri is None:
            missing.append(identifier)
        else:
            graph.add((subject, DCAT.servesDataset, URIRef(iri)))
    return graph, sorted(set(missing))
