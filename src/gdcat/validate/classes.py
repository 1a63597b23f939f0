"""Class checks that follow the class hierarchy, and the classes of authority-table values.

The official DCAT-AP and HealthDCAT-AP validators load the vocabularies the application
profiles import (FOAF, vCard, DCAT, DCTERMS, PROV-O, ADMS...) next to the data, so that
``sh:class foaf:Agent`` accepts a ``foaf:Organization``. gdcat ships those vocabularies under
``ontologies/imports/`` (see ``ontologies/SOURCES.md``) but never puts them in a data graph:
pySHACL would then crawl whole ontologies on every run, and the closure has side effects
(DCAT declares ``dcat:Catalog`` a subclass of ``dcat:Dataset``: a catalogue would become a
target of every dataset shape). Instead:

1. The ``rdfs:subClassOf`` closure of the shipped vocabularies is computed once per process
   (:func:`class_index`).
2. Every ``sh:class C`` of a shapes graph is rewritten, in a copy used for validation only
   (:func:`validation_shapes`), to ``sh:class <urn:gdcat:instance-of:C>``: a class no shape
   targets. The data graph copy pySHACL sees gets ``n a <urn:gdcat:instance-of:C>`` for every
   node ``n`` whose type is ``C`` or a subclass of ``C`` (:func:`entailments`). So a value
   check sees the hierarchy, and no node becomes the target of a shape through it.
3. A node whose type has a superclass that some shape *targets* also gets that superclass as a
   real ``rdf:type`` (a ``foaf:Organization`` publisher is validated by the ``foaf:Agent``
   shapes, as the official validators do), except DCAT's resource classes
   (:data:`NEVER_RETARGETED`): a catalogue never becomes a dataset, a data service never a
   ``dcat:Resource``, a series never the target of the dataset shapes.
4. A concept of a shipped authority table counts, for value checks only, as an instance of the
   class DCAT-AP gives the property the table serves (:data:`TABLE_CLASSES`): a distribution
   whose ``dct:format`` is ``<…/file-type/VCF>`` has a ``dct:MediaTypeOrExtent``. Only IRIs
   the shipped tables list get it; any other IRI is still reported.

Reports name the original class: :func:`original_class` maps the rewritten IRI back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from gdcat.errors import GdcatError
from gdcat.paths import ontologies_dir
from gdcat.vocab import EU_AUTHORITY

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]

#: Folder (under ``ontologies/``) of the vocabularies whose class hierarchy validation uses.
IMPORTS = "imports"

#: Prefix of the value-check classes: ``sh:class C`` is checked as ``sh:class <PREFIX + C>``.
INSTANCE_OF = "urn:gdcat:instance-of:"

#: DCAT's resource classes. A node never *becomes* a target of their shapes through the
#: hierarchy (``dcat:Catalog`` ⊑ ``dcat:Dataset``, ``dcat:DataService`` ⊑ ``dcat:Resource``,
#: ``dcat:DatasetSeries`` ⊑ ``dcat:Dataset``): each kind of record is validated by its own
#: shapes. Value checks (``sh:class dcat:Dataset`` on ``dcat:dataset``) still see the hierarchy.
NEVER_RETARGETED: frozenset[URIRef] = frozenset(
    {
        DCAT.Resource,
        DCAT.Dataset,
        URIRef(str(DCAT) + "DatasetSeries"),
        DCAT.Catalog,
        DCAT.DataService,
        DCAT.CatalogRecord,
    }
)

#: Superclasses that say nothing a shape can use.
_UNINFORMATIVE: frozenset[URIRef] = frozenset({OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class})


@dataclass(frozen=True)
class TableClass:
    """The class DCAT-AP gives the values of one authority table, and where it says so."""

    scheme: URIRef
    classes: tuple[URIRef, ...]
    clause: str


def _table(name: str, clause: str, *classes: URIRef) -> TableClass:
    return TableClass(URIRef(EU_AUTHORITY + name), (SKOS.Concept, *classes), clause)


#: Authority table → the classes its concepts have for value checks. Every concept of an EU
#: table is a ``skos:Concept`` in the Publications Office's distribution (the structure-only
#: copies gdcat ships do not say so); the second class is the range DCAT-AP 3.0.1 gives the
#: property whose values the specification takes from that table (``range.ttl`` of the
#: DCAT-AP 3.0.1 shapes; the tables in section "Controlled vocabularies" of the specification).
TABLE_CLASSES: tuple[TableClass, ...] = (
    _table(
        "access-right",
        "dct:accessRights (Dataset, DataService): range dct:RightsStatement; "
        "controlled vocabulary EU Access right",
        DCTERMS.RightsStatement,
    ),
    _table(
        "file-type",
        "dct:format (Distribution, DataService): range dct:MediaTypeOrExtent; controlled "
        "vocabulary EU File type",
        DCTERMS.MediaTypeOrExtent,
    ),
    _table(
        "frequency",
        "dct:accrualPeriodicity (Dataset, DatasetSeries): range dct:Frequency; "
        "controlled vocabulary EU Frequency",
        DCTERMS.Frequency,
    ),
    _table(
        "language",
        "dct:language (Catalogue, CatalogRecord, Dataset, Distribution): range "
        "dct:LinguisticSystem; controlled vocabulary EU Languages",
        DCTERMS.LinguisticSystem,
    ),
    _table(
        "country",
        "dct:spatial (Catalogue, Dataset): range dct:Location; controlled vocabulary EU Countries",
        DCTERMS.Location,
    ),
    _table(
        "place",
        "dct:spatial: range dct:Location; controlled vocabulary EU Places",
        DCTERMS.Location,
    ),
    _table(
        "continent",
        "dct:spatial: range dct:Location; controlled vocabulary EU Continents",
        DCTERMS.Location,
    ),
    _table(
        "licence",
        "dct:license (Catalogue, Distribution, DataService): range "
        "dct:LicenseDocument; controlled vocabulary EU Licences",
        DCTERMS.LicenseDocument,
    ),
    _table(
        "data-theme",
        "dcat:theme (Dataset): range skos:Concept; controlled vocabulary EU Data theme",
    ),
    _table(
        "dataset-type",
        "dct:type (Dataset): range skos:Concept; controlled vocabulary EU Dataset type",
    ),
    _table(
        "distribution-status",
        "adms:status (Distribution): range skos:Concept; "
        "controlled vocabulary EU Distribution status",
    ),
    _table(
        "planned-availability",
        "dcatap:availability (Distribution): range skos:Concept; "
        "controlled vocabulary EU Planned availability",
    ),
)


def instance_of(cls: Node) -> URIRef:
    """The value-check class standing for ``cls`` in a validation shapes graph."""
    return URIRef(INSTANCE_OF + str(cls))


def original_class(iri: str) -> str:
    """``cls`` for the value-check class of ``cls``; any other IRI unchanged."""
    return iri[len(INSTANCE_OF) :] if iri.startswith(INSTANCE_OF) else iri


# --- the class hierarchy ----------------------------------------------------------------


@dataclass(frozen=True)
class ClassIndex:
    """The ``rdfs:subClassOf`` closure of the shipped vocabularies, and the table classes."""

    #: Every named superclass of a class, transitively (the class itself excluded).
    superclasses: Mapping[URIRef, frozenset[URIRef]]
    #: Concept scheme → classes its concepts have for value checks.
    table_classes: Mapping[URIRef, tuple[URIRef, ...]]
    files: tuple[str, ...]

    def closure(self, cls: URIRef) -> frozenset[URIRef]:
        """``cls`` and all its superclasses."""
        return self.superclasses.get(cls, frozenset()) | {cls}


def import_files(root: Path | None = None) -> tuple[Path, ...]:
    """The vocabulary files under ``ontologies/imports/``."""
    base = (ontologies_dir() if root is None else root) / IMPORTS
    if not base.is_dir():
        return ()
    return tuple(sorted(p for p in base.iterdir() if p.suffix in (".ttl", ".rdf", ".owl")))


def _edges(path: Path) -> Iterable[tuple[URIRef, URIRef]]:
    fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.RDF_XML
    try:
        # A base IRI for the few relative IRIs some of these files carry (they name no class).
        triples = ox.parse(path=path, format=fmt, base_iri=path.as_uri())
        for t in triples:
            if (
                t.predicate.value == str(RDFS.subClassOf)
                and isinstance(t.subject, ox.NamedNode)
                and isinstance(t.object, ox.NamedNode)
            ):
                yield URIRef(t.subject.value), URIRef(t.object.value)
    except (OSError, SyntaxError, ValueError) as e:
        raise GdcatError(f"cannot read vocabulary {path}: {e}") from e


def build_class_index(files: Iterable[Path]) -> ClassIndex:
    """The subclass closure of ``files`` (plus :data:`TABLE_CLASSES`)."""
    direct: dict[URIRef, set[URIRef]] = {}
    names = []
    for path in files:
        names.append(str(path))
        for sub, sup in _edges(path):
            if sub != sup and sup not in _UNINFORMATIVE:
                direct.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, frozenset[URIRef]] = {}
    for cls in direct:
        seen: set[URIRef] = set()
        todo = list(direct[cls])
        while todo:
            sup = todo.pop()
            if sup in seen or sup == cls:
                continue
            seen.add(sup)
            todo.extend(direct.get(sup, ()))
        closure[cls] = frozenset(seen)
    tables = {t.scheme: t.classes for t in TABLE_CLASSES}
    return ClassIndex(closure, tables, tuple(names))


def class_index(root: Path | None = None) -> ClassIndex:
    """The class index of ``ontologies/imports/`` (built once per process and folder)."""
    return _index_for(ontologies_dir() if root is None else root)


@cache
def _index_for(root: Path) -> ClassIndex:
    index = build_class_index(import_files(root))
    log.debug("class index: %d classes from %d files", len(index.superclasses), len(index.files))
    return index


# --- shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapesClasses:
    """What the entailments of one shapes graph need to know about it."""

    #: Classes some ``sh:class`` checks (their original IRIs).
    checked: frozenset[URIRef]
    #: Classes some shape targets (``sh:targetClass`` or an implicit class target).
    targeted: frozenset[URIRef]


def rewrite_class_checks(shapes: Graph) -> tuple[Graph, ShapesClasses]:
    """A copy of ``shapes`` whose ``sh:class C`` read ``sh:class <urn:gdcat:instance-of:C>``."""
    out = Graph(store=SimpleMemory())
    for prefix, namespace in shapes.namespaces():
        out.bind(prefix, namespace, override=False)
    checked: set[URIRef] = set()
    for s, p, o in shapes:
        if p == SH["class"] and isinstance(o, URIRef):
            checked.add(o)
            out.add((s, p, instance_of(o)))
        else:
            out.add((s, p, o))
    targeted = {o for o in shapes.objects(None, SH.targetClass) if isinstance(o, URIRef)}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef) and (
            (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes
        ):
            targeted.add(shape)
    return out, ShapesClasses(frozenset(checked), frozenset(targeted))


#: ``rdf:type`` and ``skos:inScheme`` as sets: a predicate is looked up by its hash (a term's
#: ``==`` is a Python call, for every triple of a batch).
_RDF_TYPE = frozenset({RDF.type})
_IN_SCHEME = frozenset({SKOS.inScheme})


def entailments(
    triples: Iterable[Triple],
    shapes: ShapesClasses,
    index: ClassIndex,
    vocabulary: Iterable[Triple] = (),
) -> list[Triple]:
    """The ``rdf:type`` triples to add to a validation copy of ``triples``.

    ``vocabulary`` holds the authority-table triples added to the copy (their
    ``skos:inScheme`` gives a concept its table's classes); a record's own ``skos:inScheme``
    claims give nothing.
    """
    added: dict[Triple, None] = {}
    cache: dict[URIRef, tuple[list[URIRef], list[URIRef]]] = {}

    def classes(cls: URIRef) -> tuple[list[URIRef], list[URIRef]]:
        found = cache.get(cls)
        if found is None:
            closure = index.closure(cls)
            value = [instance_of(c) for c in sorted(closure & shapes.checked)]
            real = sorted((closure - {cls}) & shapes.targeted - NEVER_RETARGETED)
            found = cache[cls] = (value, real)
        return found

    def entail(node: Node, cls: URIRef, *, retarget: bool) -> None:
        value, real = classes(cls)
        for v in value:
            added[(node, RDF.type, v)] = None
        if retarget:
            for r in real:
                added[(node, RDF.type, r)] = None

    for s, p, o in triples:
        if p in _RDF_TYPE and isinstance(o, URIRef):
            entail(s, o, retarget=True)
    for s, p, o in vocabulary:
        if p in _RDF_TYPE and isinstance(o, URIRef):
            entail(s, o, retarget=False)
        elif p in _IN_SCHEME and isinstance(o, URIRef):
            for cls in index.table_classes.get(o, ()):
                entail(s, cls, retarget=False)
    return list(added)


@cache
def validation_shapes(profile_name: str, level: str) -> tuple[Graph, ShapesClasses]:
    """The shapes graph of a profile level as validation uses it (rewritten once per process)."""
    from gdcat.validate.profiles import shapes_graph

    return rewrite_class_checks(shapes_graph(profile_name, level))
