"""Splitting a document into records.

A *record* is one ``dcat:Dataset`` or ``dcat:DatasetSeries`` together with every node it
reaches through the document (distributions, agents, contact points, periods, blank or not),
stopping at other records and at catalogues. It is the unit gdcat validates, hashes, stores
in its own named graph and withdraws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, RDF
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from gdcat.errors import InputError, SourceLocation

Triple = tuple[Node, Node, Node]

#: Classes whose instances are records of their own.
RECORD_CLASSES: tuple[URIRef, ...] = (DCAT.Dataset, URIRef(str(DCAT) + "DatasetSeries"))
#: Nodes a record never swallows: containers that list records.
_BOUNDARY_CLASSES: tuple[URIRef, ...] = (DCAT.Catalog,)


@dataclass(frozen=True)
class RecordOrigin:
    """Where a record was written, when its document says more than the file: a
    spreadsheet's row (``location``), with the column each field was read from."""

    location: SourceLocation
    #: field path (``distribution.access_url``) -> (column number, header) it was read from
    columns: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    def locate(self, path: str) -> SourceLocation:
        """Where the field ``path`` (a validation result's) was written: its column when one
        holds it or a field inside it, else the row."""
        if not path:
            return self.location
        hit = self.columns.get(path)
        if hit is None:  # ``distribution`` when the columns are ``distribution.access_url``…
            inside = sorted(c for c in self.columns if c.startswith(path + "."))
            outer = [c for c in self.columns if path.startswith(c + ".")]
            chosen = inside[:1] or outer[:1]
            hit = self.columns[chosen[0]] if chosen else None
        if hit is None:
            return self.location
        return replace(self.location, column=hit[0], field=hit[1])


class LocatedGraph(Graph):
    """A parsed document that knows where each of its records was written (a spreadsheet's
    rows): :func:`split_records` hands each record its :class:`RecordOrigin`."""

    def __init__(self) -> None:
        super().__init__()
        self.origins: dict[str, RecordOrigin] = {}


@dataclass
class Record:
    """One dataset (or series) with its own description, ready to validate and store."""

    iri: str
    graph: Graph
    kind: str = "Dataset"
    source: str = field(default="", compare=False)
    #: the row it was written in, for documents that have rows (spreadsheets)
    origin: RecordOrigin | None = field(default=None, compare=False)
    #: the graph's triples as N-Triples lines, when it was built from them (a harvest's
    #: parsing processes hand records over that way); the store writes them as they are
    ntriples: str | None = field(default=None, compare=False, repr=False)

    def locate(self, path: str = "") -> SourceLocation:
        """Where the record (or its field ``path``) was written, as precisely as known."""
        if self.origin is not None:
            return self.origin.locate(path)
        return SourceLocation(self.source)

    @cached_property
    def content_hash(self) -> str:
        """A SHA-256 of the record's triples that ignores blank-node labels and order."""
        return graph_hash(self.graph)


def record_roots(graph: Graph) -> dict[Node, str]:
    """The nodes of ``graph`` that are records, each with its kind (``Dataset``…)."""
    roots: dict[Node, str] = {}
    for cls in RECORD_CLASSES:
        for subject in graph.subjects(RDF.type, cls):
            if isinstance(subject, URIRef | BNode):
                roots.setdefault(subject, str(cls).rsplit("#", 1)[-1])
    return roots


def record_boundary(graph: Graph, roots: Iterable[Node]) -> set[Node]:
    """The nodes a record never swallows: every record root and every catalogue."""
    boundary: set[Node] = set(roots)
    for cls in _BOUNDARY_CLASSES:
        boundary.update(graph.subjects(RDF.type, cls))
    return boundary


def split_records(graph: Graph, *, source: str = "") -> list[Record]:
    """Every record described in ``graph``, in a stable order (by IRI)."""
    origins = graph.origins if isinstance(graph, LocatedGraph) else {}
    records = []
    for root, kind, triples in record_triples(graph):
        # No prefixes bound: binding 30 prefixes costs more than the record's own triples
        # (bind them before serialising a record for people).
        record_graph = new_record_graph()
        record_graph.addN((s, p, o, record_graph) for s, p, o in triples)
        origin = origins.get(str(root))
        records.append(Record(str(root), record_graph, kind=kind, source=source, origin=origin))
    return records


def record_triples(graph: Graph) -> list[tuple[Node, str, list[Triple]]]:
    """The records of :func:`split_records` as ``(root, kind, triples)``, without a graph
    each (for a caller that only hashes and writes them)."""
    roots = record_roots(graph)
    boundary = record_boundary(graph, roots)
    # One pass over the graph instead of a pattern lookup per node: documents of thousands of
    # records are split in linear time.
    by_subject: dict[Node, list[Triple]] = {}
    for triple in graph:
        by_subject.setdefault(triple[0], []).append(triple)
    return [
        (root, kind, _closure(by_subject, root, boundary))
        for root, kind in sorted(roots.items(), key=lambda item: str(item[0]))
    ]


def new_record_graph() -> Graph:
    """An empty graph for one record's triples, over rdflib's context-free ``SimpleMemory``
    store: a record graph is a plain graph (no named graphs), and that store adds and lists
    triples in half the time of the default one (a harvest builds one per record)."""
    return Graph(store=SimpleMemory())


def closure_triples(graph: Graph, root: Node, boundary: set[Node]) -> list[Triple]:
    """The triples of ``root`` and of every node it reaches, not entering ``boundary``."""
    by_subject: dict[Node, list[Triple]] = {}
    for triple in graph:
        by_subject.setdefault(triple[0], []).append(triple)
    return _closure(by_subject, root, boundary)


def closure_by_subject(
    by_subject: dict[Node, list[Triple]], root: Node, boundary: set[Node]
) -> list[Triple]:
    """:func:`closure_triples` of triples already grouped by subject (in the graph's order)."""
    return _closure(by_subject, root, boundary)


def _closure(by_subject: dict[Node, list[Triple]], root: Node, boundary: set[Node]) -> list[Triple]:
    out: list[Triple] = []
    seen = {root}
    todo = [root]
    while todo:
        node = todo.pop()
        for triple in by_subject.get(node, ()):
            out.append(triple)
            o = triple[2]
            if o in seen or isinstance(o, Literal) or o in boundary:
                continue
            if isinstance(o, BNode) or o in by_subject:
                seen.add(o)
                todo.append(o)
    return out


#: Classes of which a metadata document must describe at least one resource (a FAIR Data
#: Point serves each distribution as a document of its own).
DOCUMENT_CLASSES: tuple[URIRef, ...] = (
    *RECORD_CLASSES,
    DCAT.Catalog,
    DCAT.DataService,
    DCAT.Distribution,
)


def describes_resources(graph: Graph) -> bool:
    """True when ``graph`` describes a dataset, series, catalogue, data service or
    distribution."""
    return any((None, RDF.type, cls) in graph for cls in DOCUMENT_CLASSES)


def rest_of_document(graph: Graph, records: Iterable[Record]) -> Graph:
    """The triples of ``graph`` no record holds: catalogues, data services, their agents...

    They are validated too (a catalogue whose publisher has no name is reported), but they
    are not records: gdcat stores records and describes its own catalogue.
    """
    covered: set[Triple] = set()
    for record in records:
        covered.update(record.graph)
    rest = Graph()
    rest.addN((s, p, o, rest) for s, p, o in graph if (s, p, o) not in covered)
    return rest


def contents_summary(graph: Graph, *, limit: int = 3) -> str:
    """What a document holds, for people: ``1 ejp:Biobank (<https://…/b1>)``.

    Counts the classes of the nodes nothing else in the document points to (the top of each
    description); a document without any ``rdf:type`` is described by its subjects.
    """
    pointed_to = {o for s, _, o in graph if o != s}
    tops = [s for s in set(graph.subjects()) if s not in pointed_to] or list(set(graph.subjects()))
    by_class: dict[str, list[Node]] = {}
    for node in tops:
        for cls in graph.objects(node, RDF.type):
            by_class.setdefault(_short(graph, cls), []).append(node)
    if not by_class:
        count = len(set(graph.subjects()))
        return f"{count} resource(s) without any class (no rdf:type)"
    parts = []
    for name, nodes in sorted(by_class.items(), key=lambda item: (-len(item[1]), item[0])):
        named = sorted(str(n) for n in nodes if isinstance(n, URIRef))
        example = f" (<{named[0]}>{', …' if len(named) > 1 else ''})" if named else ""
        parts.append(f"{len(nodes)} {name}{example}")
    shown = parts[:limit]
    if len(parts) > limit:
        shown.append(f"{len(parts) - limit} other class(es)")
    return ", ".join(shown)


def not_metadata_error(graph: Graph, source: str) -> InputError:
    """The error for a document that describes no DCAT resource: what it holds, what to do."""
    return InputError(
        f"holds {contents_summary(graph)} and no dcat:Dataset, dcat:DatasetSeries, "
        "dcat:Catalog, dcat:DataService or dcat:Distribution, so there is nothing to validate "
        "or store. If it "
        "describes a dataset, add `a dcat:Dataset` to that resource (it may keep its own "
        "class too)",
        SourceLocation(source),
    )


def _short(graph: Graph, node: Node) -> str:
    if not isinstance(node, URIRef):
        return str(node)
    try:
        prefix, _, name = graph.namespace_manager.compute_qname(str(node), generate=False)
    except (KeyError, ValueError):
        return f"<{node}>"
    return f"{prefix}:{name}" if prefix else f"<{node}>"


def graph_hash(graph: Graph) -> str:
    """Hash of a graph's content, stable across blank-node relabelling and triple order.

    Blank nodes are named by a hash of what they say (recursively), which is exact for the
    tree-shaped descriptions records are made of; graphs where that leaves two blank nodes
    indistinguishable or where blank nodes form a cycle fall back to rdflib's canonical
    labelling. ``"x"`` and ``"x"^^xsd:string`` (the same RDF term) hash alike.
    """
    return triples_hash(list(graph))


def triples_hash(triples: list[Triple]) -> str:
    """:func:`graph_hash` of a graph's triples (each once)."""
    labels = _tree_labels(triples)
    if labels is None:
        graph = new_record_graph()
        graph.addN((s, p, o, graph) for s, p, o in triples)
        triples = list(to_canonical_graph(graph))
        labels = {}
    encoded: dict[Node, str] = {}

    def term(node: Node) -> str:
        text = encoded.get(node)
        if text is None:
            text = encoded[node] = _encode(node, labels)
        return text

    lines = sorted([f"{term(s)} {term(p)} {term(o)}" for s, p, o in triples])
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _encode(node: Node, labels: dict[BNode, str]) -> str:
    """An injective text for a term: IRIs in ``<>``, literals quoted and escaped."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{labels.get(node, node)}"
    if isinstance(node, Literal):
        text = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if node.language:
            return f"{text}@{node.language.lower()}"
        if node.datatype is not None and node.datatype != _XSD_STRING:
            return f"{text}^^<{node.datatype}>"
        return text
    return repr(node)


def _tree_labels(triples: list[tuple[Node, Node, Node]]) -> dict[BNode, str] | None:
    """A label per blank node from what it says, or None where that cannot be done exactly."""
    edges: dict[BNode, list[tuple[Node, Node]]] = {}
    blank: set[BNode] = set()
    for s, p, o in triples:
        if isinstance(s, BNode):
            edges.setdefault(s, []).append((p, o))
            blank.add(s)
        if isinstance(o, BNode):
            blank.add(o)
    labels: dict[BNode, str] = {}
    visiting: set[BNode] = set()

    def label(node: BNode) -> str | None:
        known = labels.get(node)
        if known is not None:
            return known
        if node in visiting:
            return None
        visiting.add(node)
        parts = []
        for p, o in edges.get(node, ()):
            if isinstance(o, BNode):
                inner = label(o)
                if inner is None:
                    return None
                parts.append(f"<{p}> _:{inner}")
            else:
                parts.append(f"<{p}> {_encode(o, {})}")
        visiting.discard(node)
        labels[node] = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]
        return labels[node]

    for node in blank:
        if label(node) is None:
            return None
    if len(set(labels.values())) != len(labels):
        return None
    return labels
