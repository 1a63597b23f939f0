"""The batched SHACL runner: many records, few validation runs, results traced back to fields.

How a validation goes:

1. Each document is cut into *units*: one per record (a ``dcat:Dataset`` or
   ``dcat:DatasetSeries`` with every node it reaches, stopping at other records and at
   catalogues: the records of :func:`gdcat.rdf.records.split_records`) and one for the rest
   of the document (a catalogue, nodes no dataset reaches). A unit owns the subjects of its
   triples; a unit pointing to a node another unit describes (a dataset to its series, a
   catalogue to its datasets) gets that node's ``rdf:type``, so that range checks hold,
   without owning it.
2. Units are grouped by shapes graph (the HealthDCAT-AP level is chosen per dataset from its
   access right) and packed into batches; one run validates a whole batch: gdcat's own
   engine (:mod:`.engine`, pySHACL's results; ``settings.validation_engine``) or pySHACL.
   Two units that describe the same subject differently never share a batch.
3. Each run sees the batch plus the vocabulary triples it names (:mod:`.background`).
4. Every result is given to the units that own its focus node; results on vocabulary nodes
   belong to nobody and are dropped. A ``sh:node`` failure on an agent, contact point or
   distribution is reported as the nested field that is wrong
   (``publisher.agent_contact_point``), with the path traced from the dataset.

Batches run in worker processes (``settings.validation_workers``; shapes and vocabularies are
loaded once per worker) when there are enough records to pay for starting them, in this
process otherwise. Batching is invisible in the reports: the tests check that documents
validated together, apart, in this process or in workers get the same results.
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar

from rdflib import BNode, ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, SKOS
from rdflib.term import Node

from gdcat.errors import GdcatError
from gdcat.rdf.ntriples import ntriples_graph, ntriples_lines, ntriples_triples, share_iris
from gdcat.rdf.records import (
    RECORD_CLASSES,
    Record,
    closure_by_subject,
    closure_triples,
    record_boundary,
    record_roots,
)
from gdcat.settings import Settings
from gdcat.validate import sparql_cache
from gdcat.validate.background import Triple, vocabulary_index
from gdcat.validate.classes import class_index, entailments, original_class, validation_shapes
from gdcat.validate.compiled import CompiledShapes, ShapesSource, quiet_pyshacl
from gdcat.validate.engine import ENGINE_TERMS, Engine, Found, Index
from gdcat.validate.messages import curie, explain, field_name, local_name
from gdcat.validate.profiles import Profile, get_profile, shapes_graph
from gdcat.validate.report import PathSpec, ValidationReport, ValidationResult

log = logging.getLogger(__name__)

_SHAPE_PARAMETERS = (
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "hasValue",
    "pattern",
    "node",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "lessThan",
    "lessThanOrEquals",
    "equals",
    "disjoint",
    "name",
)
_PATH_MODIFIERS = ("zeroOrMore", "oneOrMore", "zeroOrOne")


# --- what travels between processes ---------------------------------------------------


@dataclass(frozen=True)
class RawResult:
    """One pySHACL result, reduced to plain data that pickles across processes."""

    focus: Node
    path: PathSpec | None
    severity: str
    component: str
    source_shape: str
    shape_message: str | None
    value: Node | None
    params: tuple[tuple[str, tuple[str, ...]], ...]
    details: tuple[RawResult, ...]
    #: False when the focus node is described nowhere in the data (the graph guard's sentinel).
    described: bool = True

    @property
    def param_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.params)

    def key(self) -> tuple[Any, ...]:
        """Every field, details in a fixed order: two engines' results compare by it."""
        details = tuple(sorted((d.key() for d in self.details), key=repr))
        return (
            self.focus,
            self.path,
            self.severity,
            self.component,
            self.source_shape,
            self.shape_message,
            self.value,
            self.params,
            details,
            self.described,
        )


#: pySHACL is not safe to run in two threads of one process at once: rdflib's SPARQL parser
#: (pyparsing) keeps parse state that a second thread corrupts ("Param.postParse2() missing
#: 1 required positional argument"), and :func:`_fast_parameter_lookup` swaps a module
#: attribute. A server validating a steward's publish while a harvest validates in-process
#: met exactly that; runs in one process take turns.
_ONE_RUN_AT_A_TIME = threading.Lock()


_DATASET_SERIES = URIRef(f"{DCAT}DatasetSeries")
#: Terms compared once a triple, read once (a namespace's attribute lookup is slow).
_DATASET = DCAT.Dataset
_RDF_TYPE = RDF.type
_CATALOG = DCAT.Catalog
_ACCESS_RIGHTS = DCTERMS.accessRights
_TYPE_PREDICATE = frozenset({_RDF_TYPE})
_SERIES_CLASS = frozenset({_DATASET_SERIES})
_DATASET_CLASS = frozenset({_DATASET})


def validate_batch(
    profile_name: str, level: str, triples: Sequence[Triple], engine: str = "gdcat"
) -> list[RawResult]:
    """Validate ``triples`` (plus the vocabulary they name) with one profile level.

    The graph the engine sees also carries the class entailments of :mod:`.classes` (value
    checks follow the class hierarchy and the classes of authority-table values). ``engine`` is
    ``"gdcat"`` (:mod:`.engine`, pySHACL's results without pySHACL's run; shapes it cannot
    follow are validated by pySHACL) or ``"pyshacl"`` (pySHACL's own run, with the prepared
    shapes).

    Module-level so that worker processes can run it; the shapes (as pySHACL uses them,
    :func:`compiled_shapes`) and the vocabulary index are cached per process. Runs in one
    process take turns (see :data:`_ONE_RUN_AT_A_TIME`).
    """
    with _ONE_RUN_AT_A_TIME:
        sparql_cache.install()
        try:
            with _fast_parameter_lookup():
                if engine == "gdcat":
                    native = native_engine(profile_name, level)
                    if native.supported:
                        index = Index(validation_triples(profile_name, level, triples))
                        with quiet_pyshacl():
                            found = native.run(index)
                        shapes = native.compiled
                        return [_raw_found(f, shapes, index) for f in found]
                data = validation_data(profile_name, level, triples)
                report_graph, shapes = _report(profile_name, level, data)
        except GdcatError:
            raise
        except Exception as e:  # pySHACL's errors share no useful base class
            raise GdcatError(f"SHACL validation with profile {profile_name!r} failed: {e}") from e
        return _raw_results(report_graph, shapes, data)


@cache
def native_engine(profile_name: str, level: str) -> Engine:
    """gdcat's engine for one profile level (compiled once per process).

    The records read from text here get the shapes' IRIs as their terms
    (:func:`~gdcat.rdf.ntriples.share_iris`), and the engine's own constants last."""
    engine = Engine(compiled_shapes(profile_name, level))
    share_iris(term for triple in engine.sg.graph for term in triple)
    share_iris(ENGINE_TERMS)
    return engine


def _raw_found(found: Found, shapes: ShapesSource, index: Index) -> RawResult:
    """A result of :mod:`.engine` as :func:`_raw` reads the same result from pySHACL's report."""
    constraint = found.constraint
    shape = found.shape
    component = _component_name(found.component)
    message = shapes.memo("message", constraint, _shape_message) or shapes.memo(
        "message", shape, _shape_message
    )
    details = tuple(_raw_found(d, shapes, index) for d in found.details)
    if message is None and component == "Node":
        message = _nested_rule(shapes.graph, constraint, shape, details)
    return RawResult(
        focus=found.focus,
        path=_found_path(found.path, shapes),
        severity=local_name(str(found.severity)),
        component=component,
        source_shape=shapes.memo("name", shape, _shape_name),
        shape_message=message,
        value=found.value,
        params=shapes.memo("params", shape, _params),
        details=details,
        described=index.described(found.focus),
    )


def validation_data(profile_name: str, level: str, triples: Sequence[Triple]) -> Graph:
    """The data graph pySHACL sees for ``triples``: the triples, the vocabulary they name, and
    the class entailments the profile level's shapes need (benchmarks hand the same graph to
    other engines)."""
    data = Graph()
    for triple in validation_triples(profile_name, level, triples):
        data.add(triple)
    return data


def validation_triples(profile_name: str, level: str, triples: Sequence[Triple]) -> list[Triple]:
    """The triples of :func:`validation_data`, in the order it adds them."""
    _, shape_classes = validation_shapes(profile_name, level)
    data: dict[Triple, None] = {}
    # A series is validated as a series whatever else it is typed (the store's rule of
    # kinds): ``a dcat:Dataset`` on it (DCAT's entailment, which gdcat's feed writes for
    # clients that do no inference) does not make it a target of the dataset shapes.
    # (terms looked up in sets by their hash: a term's ``==`` is a Python call)
    series = {t[0] for t in triples if t[2] in _SERIES_CLASS and t[1] in _TYPE_PREDICATE}
    for triple in triples:
        if (
            series
            and triple[0] in series
            and triple[2] in _DATASET_CLASS
            and triple[1] in _TYPE_PREDICATE
        ):
            continue
        data[triple] = None
    background = vocabulary_index().background_for(triples).triples
    data.update(dict.fromkeys(background))
    data.update(dict.fromkeys(entailments(triples, shape_classes, class_index(), background)))
    return list(data)


@cache
def compiled_shapes(profile_name: str, level: str) -> CompiledShapes:
    """The validation shapes of one profile level as pySHACL uses them, prepared once."""
    return CompiledShapes(validation_shapes(profile_name, level)[0])


def _report(profile_name: str, level: str, data: Graph) -> tuple[Graph, CompiledShapes]:
    """pySHACL's report graph for ``data``, and the shapes it names."""
    shapes = compiled_shapes(profile_name, level)
    return shapes.run(data), shapes


class _SetBackedList(list[Any]):
    """A list whose ``in`` is a set lookup (same items, same order, same answers)."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


@contextmanager
def _fast_parameter_lookup() -> Iterator[None]:
    """Let pySHACL find constraint parameters with a set lookup instead of a list scan.

    For every shape it evaluates (nested ``sh:node`` checks included), pySHACL tests each
    predicate of the shape for membership in a list of ~40 parameter IRIs, comparing rdflib
    terms one by one: about a fifth of the CPU time on the HealthDCAT-AP shapes. pySHACL keeps
    that list in a lazily filled module attribute (``pyshacl.shape.CONSTRAINT_PARAMS``); for
    the duration of one run it holds an equal list with a set-backed ``in``, then the previous
    value is put back. Nothing changes when pySHACL's internals differ from what is expected.
    """
    try:
        from pyshacl import shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:
        yield
        return
    if not isinstance(ALL_CONSTRAINT_PARAMETERS, list) or not hasattr(shape_module, "module"):
        yield
        return
    missing = object()
    previous = getattr(shape_module, "CONSTRAINT_PARAMS", missing)
    shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _SetBackedList(ALL_CONSTRAINT_PARAMETERS),
        CONSTRAINT_PARAMETERS_MAP,
    )
    try:
        yield
    finally:
        if previous is missing:
            del shape_module.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
        else:
            shape_module.CONSTRAINT_PARAMS = previous  # type: ignore[attr-defined]


def _warm_worker(profile_name: str) -> None:
    """Load what every batch of this profile needs, once, when a worker starts."""
    import pyshacl  # noqa: F401

    profile = get_profile(profile_name)
    for level in profile.level_names:
        compiled_shapes(profile_name, level)
        native_engine(profile_name, level)
    vocabulary_index()
    class_index()
    # What was just loaded (shapes, vocabularies, modules: hundreds of thousands of objects)
    # lives as long as the worker. Left to the garbage collector, its passes walked all of it
    # again and again, about a fifth of a worker's CPU time; frozen, they walk only what the
    # batches make, and a batch's millions of short-lived objects start fewer of them.
    gc.freeze()
    gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])


#: Allocations between two collections of the youngest generation in a worker (Python's
#: default is 700).
_GC_THRESHOLD = 10_000


def _raw_results(report: Graph, shapes: ShapesSource, data: Graph) -> list[RawResult]:
    tops = [
        r
        for rep in report.subjects(RDF.type, SH.ValidationReport)
        for r in report.objects(rep, SH.result)
    ]
    return [_raw(report, node, shapes, data) for node in tops]


def _raw(report: Graph, node: Node, shapes: ShapesSource, data: Graph) -> RawResult:
    focus = report.value(node, SH.focusNode)
    shape = report.value(node, SH.sourceShape)
    constraint = report.value(node, SH.sourceConstraint)
    component = report.value(node, SH.sourceConstraintComponent)
    severity = report.value(node, SH.resultSeverity)
    message = shapes.memo("message", constraint, _shape_message) or shapes.memo(
        "message", shape, _shape_message
    )
    details = tuple(_raw(report, d, shapes, data) for d in report.objects(node, SH.detail))
    if message is None and _component_name(component) == "Node":
        # A property shape without a rule of its own that hands its values to a node shape
        # (``sh:node :DateOrDateTimeDataType_Shape``): the rule is that node shape's.
        message = _nested_rule(shapes.graph, constraint, shape, details)
    return RawResult(
        focus=focus if focus is not None else Literal(""),
        path=path_spec(report, report.value(node, SH.resultPath)),
        severity=local_name(str(severity)) if severity is not None else "Violation",
        component=_component_name(component),
        source_shape=shapes.memo("name", shape, _shape_name),
        shape_message=message,
        value=report.value(node, SH.value),
        params=shapes.memo("params", shape, _params),
        details=details,
        described=focus is not None and (focus, None, None) in data,
    )


def _found_path(node: Node | None, shapes: ShapesSource) -> PathSpec | None:
    if node is None:
        return None
    if isinstance(node, URIRef):  # a predicate (also any predicate of data under sh:closed)
        return ("p", str(node))
    return shapes.memo("path", node, path_spec)  # a path of the shapes graph


def _component_name(component: Node | None) -> str:
    name = local_name(str(component)) if component is not None else ""
    return name[: -len("ConstraintComponent")] if name.endswith("ConstraintComponent") else name


def _shape_message(shapes: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    for message in shapes.objects(node, SH.message):
        return str(message)
    return None


def _nested_rule(
    shapes: Graph, constraint: Node | None, shape: Node | None, details: Sequence[RawResult]
) -> str | None:
    """The rule of a ``sh:node`` constraint without a message: the property shape's own
    ``sh:description``, else the ``sh:message`` (or ``sh:description``) of the node shape it
    names, else the message pySHACL's details carry from that node shape."""
    owners = [owner for owner in (constraint, shape) if owner is not None]
    for owner in owners:
        for text in shapes.objects(owner, SH.description):
            return str(text)
    for owner in owners:
        for target in shapes.objects(owner, SH.node):
            for predicate in (SH.message, SH.description):
                for text in shapes.objects(target, predicate):
                    return str(text)
    for detail in details:
        if detail.shape_message and detail.path is None:
            return detail.shape_message
    return None


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """The IRI of the shape, or of the node shape a blank property shape belongs to."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = shapes.value(None, SH.property, shape)
    return str(shape) if isinstance(shape, URIRef) else ""


def _params(shapes: Graph, shape: Node | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if shape is None:
        return ()
    out: dict[str, tuple[str, ...]] = {}
    for name in _SHAPE_PARAMETERS:
        values = tuple(original_class(str(v)) for v in shapes.objects(shape, SH[name]))
        if values:
            out[name] = values
    for items in shapes.objects(shape, SH["in"]):
        out["in"] = tuple(str(v) for v in Collection(shapes, items))
    for items in shapes.objects(shape, SH.languageIn):
        out["languageIn"] = tuple(str(v) for v in Collection(shapes, items))
    schemes = tuple(
        str(scheme)
        for target in shapes.objects(shape, SH.node)
        for prop in shapes.objects(target, SH.property)
        if shapes.value(prop, SH.path) == SKOS.inScheme
        for scheme in shapes.objects(prop, SH.hasValue)
    )
    if schemes:
        out["scheme"] = schemes
    alternatives = _alternatives(shapes, shape)
    if alternatives:
        out["alternatives"] = alternatives
    return tuple(out.items())


def _alternatives(shapes: Graph, shape: Node) -> tuple[str, ...]:
    """The datatypes and classes an ``sh:or`` of ``shape`` (or of the node shape it names)
    accepts, as ``datatype <IRI>`` / ``class <IRI>``: what a correct value may be."""
    owners = [shape, *shapes.objects(shape, SH.node)]
    found: list[str] = []
    for owner in owners:
        for items in shapes.objects(owner, SH["or"]):
            for member in Collection(shapes, items):
                for name in ("datatype", "class"):
                    for value in shapes.objects(member, SH[name]):
                        found.append(f"{name} {original_class(str(value))}")
    return tuple(dict.fromkeys(found))


def path_spec(graph: Graph, node: Node | None) -> PathSpec | None:
    """A SHACL property path node as a :data:`PathSpec` tree."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return ("p", str(node))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return ("inv", path_spec(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alt", tuple(path_spec(graph, p) for p in Collection(graph, alternatives)))
    for modifier in _PATH_MODIFIERS:
        inner = graph.value(node, SH[modifier + "Path"])
        if inner is not None:
            return (modifier, path_spec(graph, inner))
    if (node, RDF.first, None) in graph:
        return ("seq", tuple(path_spec(graph, p) for p in Collection(graph, node)))
    return None


# --- units and batches ----------------------------------------------------------------


@dataclass
class _Unit:
    """A record (or the rest of a document) as validated and reported on."""

    source: int
    #: The record's IRI; ``""`` for the rest of the document.
    dataset: str
    triples: list[Triple]
    level: str
    #: Where field paths start: the dataset, or the top nodes of the rest of the document.
    roots: tuple[Node, ...]
    owned: frozenset[Node]
    #: ``rdf:type`` triples of nodes described outside this unit that it points to.
    stubs: list[Triple] = field(default_factory=list)
    #: True for a document without any record: validated alone, owns document-level results.
    whole_document: bool = False
    _descriptions: dict[Node, frozenset[tuple[Node, Node]]] | None = None

    def description(self, subject: Node) -> frozenset[tuple[Node, Node]]:
        if self._descriptions is None:
            grouped: dict[Node, set[tuple[Node, Node]]] = {}
            for s, p, o in self.triples:
                grouped.setdefault(s, set()).add((p, o))
            self._descriptions = {s: frozenset(po) for s, po in grouped.items()}
        return self._descriptions.get(subject, frozenset())


@dataclass
class _TextUnit:
    """A record handed over as N-Triples text (:attr:`gdcat.rdf.Record.ntriples`), as this
    process batches it: its level and the subjects it describes, read from the lines as text
    (no rdflib terms). A subject is its IRI's text, a blank node the pair (record, label)
    (blank nodes are the record's own: two records never share one); an object likewise, a
    literal its text with the language tag in lower case (as Oxigraph reads it). The unit
    itself is cut, validated and reported on in the process that validates its batch
    (:func:`validate_text_batch`), from the same text."""

    source: int
    dataset: str
    ntriples: str
    level: str
    owned: frozenset[Any]
    descriptions: dict[Any, frozenset[tuple[str, Any]]]
    #: the IRI and blank-node objects of its lines, in order
    objects: list[Any]
    #: its ``rdf:type`` lines, with their subjects
    types: list[tuple[Any, str]]
    #: the ``rdf:type`` lines of nodes other records describe that it points to
    stubs: list[str] = field(default_factory=list)
    whole_document: bool = False

    def description(self, subject: Any) -> frozenset[tuple[str, Any]]:
        return self.descriptions.get(subject, frozenset())


U = TypeVar("U", _Unit, _TextUnit)
T = TypeVar("T")


@dataclass
class _Batch(Generic[U]):
    level: str
    units: list[U] = field(default_factory=list)
    described: dict[Any, frozenset[Any]] = field(default_factory=dict)

    def conflicts_with(self, unit: U) -> bool:
        for subject in unit.owned:
            known = self.described.get(subject)
            if known is not None and known != unit.description(subject):
                return True
        return False

    def add(self, unit: U) -> None:
        self.units.append(unit)
        for subject in unit.owned:
            self.described.setdefault(subject, unit.description(subject))

    def triples(self: _Batch[_Unit]) -> list[Triple]:
        """The batch's triples: its units' and their stubs', each once."""
        return _batch_triples(self)


def _batch_triples(batch: _Batch[_Unit]) -> list[Triple]:
    seen: dict[Triple, None] = {}
    for unit in batch.units:
        seen.update(dict.fromkeys(unit.triples))
        seen.update(dict.fromkeys(unit.stubs))
    return list(seen)


def _add_stubs(units: Sequence[_Unit]) -> None:
    """Give each unit the ``rdf:type`` of the nodes it points to that other units describe.

    A record pointing to another record (``dcat:inSeries``), or a catalogue pointing to its
    datasets, is checked against the *class* of what it points to (a range check); the other
    node's own checks belong to the unit that owns it. Types are looked up across every graph
    of the call, so that a record validates the same whether its series comes in the same
    document or as another graph of the same :meth:`Validator.validate_many` call.
    """
    types: dict[Node, list[Triple]] = {}
    for unit in units:
        for triple in unit.triples:
            if triple[1] == _RDF_TYPE:
                types.setdefault(triple[0], []).append(triple)
    for unit in units:
        out: dict[Triple, None] = {}
        for _, _, o in unit.triples:
            if o not in unit.owned and o in types:
                out.update(dict.fromkeys(types[o]))
        unit.stubs = list(out)


_TYPE_TEXT = f"<{RDF.type}>"
_RECORD_CLASS_TEXTS = frozenset(f"<{cls}>" for cls in RECORD_CLASSES)
_CATALOG_TEXT = f"<{DCAT.Catalog}>"
_ACCESS_RIGHTS_TEXT = f"<{DCTERMS.accessRights}>"


def _text_unit(source: int, item: Any, profile: Profile) -> _TextUnit | None:
    """The :class:`_TextUnit` of ``item`` when it is a record carrying its N-Triples text that
    the validator would cut into exactly one unit, its own: its root typed ``dcat:Dataset``
    or ``dcat:DatasetSeries``, no other node typed so, no catalogue (a record's text as
    :func:`gdcat.rdf.split_records` cuts it always is). None otherwise: the call goes the
    graph way."""
    text = getattr(item, "ntriples", None)
    iri = getattr(item, "iri", None)
    if not isinstance(text, str) or not isinstance(iri, str) or isinstance(item, Graph):
        return None
    root = f"<{iri}>"
    grouped: dict[Any, set[tuple[str, Any]]] = {}
    objects: list[Any] = []
    types: list[tuple[Any, str]] = []
    access: list[str] = []
    rooted = False
    for line in text.split("\n"):
        if not line:
            continue
        subject, predicate, rest = line.split(" ", 2)
        obj = rest[:-2]  # the line's " ." off
        key: Any = subject if subject.startswith("<") else (source, subject)
        value: Any
        if obj.startswith("<"):
            value = obj
            objects.append(obj)
        elif obj.startswith("_:"):
            value = (source, obj)
            objects.append(value)
        elif obj[-1:] == '"':  # a literal without a language tag or datatype
            value = obj
        else:
            end = obj.rfind('"')
            value = (
                obj[: end + 1] + obj[end + 1 :].lower() if obj[end + 1 : end + 2] == "@" else obj
            )
        pairs = grouped.get(key)
        if pairs is None:
            pairs = grouped[key] = set()
        pairs.add((predicate, value))
        if predicate == _TYPE_TEXT:
            if obj in _RECORD_CLASS_TEXTS:
                if subject != root:
                    return None
                rooted = True
            elif obj == _CATALOG_TEXT:
                return None
            types.append((key, line + "\n"))
        elif subject == root and predicate == _ACCESS_RIGHTS_TEXT and obj.startswith("<"):
            access.append(obj[1:-1])
    if not rooted:
        return None
    return _TextUnit(
        source=source,
        dataset=iri,
        ntriples=text,
        level=profile.level_of(access),
        owned=frozenset(grouped) | {root},
        descriptions={key: frozenset(pairs) for key, pairs in grouped.items()},
        objects=objects,
        types=types,
    )


def _add_text_stubs(units: Sequence[_TextUnit]) -> None:
    """:func:`_add_stubs` for records given as text: the same lines, read as text."""
    types: dict[Any, list[str]] = {}
    for unit in units:
        for key, line in unit.types:
            types.setdefault(key, []).append(line)
    for unit in units:
        out: dict[str, None] = {}
        for o in unit.objects:
            if o not in unit.owned and o in types:
                out.update(dict.fromkeys(types[o]))
        unit.stubs = list(out)


def validate_text_batch(
    profile_name: str,
    level: str,
    records: Sequence[tuple[str, str, str]],
    engine: str = "gdcat",
) -> list[tuple[int, list[ValidationResult]]]:
    """Validate a batch of records given as ``(IRI, N-Triples, stub lines)`` and report on
    each: the work :meth:`Validator.validate_many` does for graphs, done where the batch is
    validated (a worker process), so that the records cross the process boundary as text,
    not as pickled rdflib terms. Each record's graph is read from its text the way the
    harvest reads it (:func:`gdcat.rdf.ntriples.ntriples_graph`), cut into its unit as
    :meth:`Validator.validate_many` cuts a graph, given its stubs, validated with
    :func:`validate_batch` and its results attributed as for graphs. Returns, per record
    with results, its position in ``records`` and its results."""
    profile = get_profile(profile_name)
    batch: _Batch[_Unit] = _Batch(level)
    for position, (iri, text, stubs) in enumerate(records):
        unit = _record_unit(position, iri, text, profile)
        if unit is None:  # not one record after all: cut as a graph is, which decides
            found = _units_of(position, ntriples_graph(text), profile)
            if len(found) != 1 or found[0].dataset != iri:
                raise GdcatError(f"the record {iri} given as N-Triples is not one record")
            unit = found[0]
        if unit.level != level:
            raise GdcatError(f"the record {iri} was batched at another level than its own")
        unit.stubs = list(ntriples_triples(stubs)) if stubs else []
        batch.units.append(unit)
    # The units' triples and stubs in :func:`_batch_triples`' order, repeats left in: the
    # data graph's making keeps the first of each (:func:`validation_triples`), so the graph
    # is the same, for one pass less over the batch's triples.
    triples: list[Triple] = []
    for unit in batch.units:
        triples.extend(unit.triples)
        triples.extend(unit.stubs)
    raws = validate_batch(profile_name, level, triples, engine)
    return [(unit.source, results) for unit, results in _attribute(batch, raws, profile)]


def _record_unit(position: int, iri: str, text: str, profile: Profile) -> _Unit | None:
    """The unit :func:`_units_of` cuts from the graph of ``text`` (its triples as
    :func:`~gdcat.rdf.ntriples.ntriples_graph` reads them), cut from the triples as a list
    when the record is one unit: its root the one node typed ``dcat:Dataset`` or
    ``dcat:DatasetSeries``, no catalogue, every triple reached from the root. The same triples
    in the same order, owned nodes and level, without an rdflib graph's pattern lookups (six
    scans a record). None otherwise.

    The lines are compared as text (:func:`~gdcat.rdf.ntriples.ntriples_lines`: the same
    text is the same term, an object's key the same term too), which costs a string's
    cached hash where rdflib terms compare in Python; a text that is not read that way is
    cut from its triples (:func:`_record_unit_of_triples`)."""
    lines = ntriples_lines(text)
    if lines is None:
        triples = list(dict.fromkeys(ntriples_triples(text)))  # the graph keeps the first
        return _record_unit_of_triples(position, iri, triples, profile)
    root = f"<{iri}>"
    seen: set[tuple[str, str, str]] = set()
    by_subject: dict[str, list[tuple[str, Triple]]] = {}
    access: list[str] = []
    rooted = False
    for s, p, o, triple in lines:
        key = (s, p, o)
        if key in seen:
            continue  # the same triple again: the graph keeps the first
        seen.add(key)
        found = by_subject.get(s)
        if found is None:
            found = by_subject[s] = []
        found.append((o, triple))
        if p == _TYPE_TEXT:
            if o in _RECORD_CLASS_TEXTS:
                if s != root:
                    return None
                rooted = True
            elif o == _CATALOG_TEXT:
                return None
        elif s == root and p == _ACCESS_RIGHTS_TEXT and o[0] == "<":
            access.append(o[1:-1])
    if not rooted:
        return None
    # :func:`gdcat.rdf.records.closure_by_subject` from the root, on the text
    reached: list[Triple] = []
    nodes = {root}
    todo = [root]
    while todo:
        for o, triple in by_subject.get(todo.pop(), ()):
            reached.append(triple)
            if o in nodes or o[0] == '"':
                continue
            if o[0] == "_" or o in by_subject:
                nodes.add(o)
                todo.append(o)
    if len(reached) != len(seen):
        return None
    node = URIRef(iri)
    return _Unit(
        source=position,
        dataset=iri,
        triples=reached,
        level=profile.level_of(access),
        roots=(node,),
        owned=frozenset(t[0] for t in reached) | {node},
    )


def _record_unit_of_triples(
    position: int, iri: str, triples: list[Triple], profile: Profile
) -> _Unit | None:
    """:func:`_record_unit` of the record's triples (each once, in the graph's order)."""
    root = URIRef(iri)
    by_subject: dict[Node, list[Triple]] = {}
    access: list[str] = []
    rooted = False
    for triple in triples:
        s, p, o = triple
        by_subject.setdefault(s, []).append(triple)
        if p == _RDF_TYPE:
            if o in RECORD_CLASSES:
                if s != root:
                    return None
                rooted = True
            elif o == _CATALOG:
                return None
        elif s == root and p == _ACCESS_RIGHTS and isinstance(o, URIRef):
            access.append(str(o))
    if not rooted:
        return None
    reached = closure_by_subject(by_subject, root, {root})
    if len(reached) != len(triples):
        return None
    return _Unit(
        source=position,
        dataset=iri,
        triples=reached,
        level=profile.level_of(access),
        roots=(root,),
        owned=frozenset(s for s, _, _ in reached) | {root},
    )


def _rest_roots(triples: Sequence[Triple]) -> tuple[Node, ...]:
    subjects = dict.fromkeys(s for s, _, _ in triples)
    pointed_to = {o for s, _, o in triples if o != s and o in subjects}
    tops = [s for s in subjects if s not in pointed_to] or list(subjects)
    return tuple(sorted(tops, key=lambda n: (isinstance(n, BNode), str(n))))


# --- tracing results back to fields ---------------------------------------------------


class _Tracer:
    """Shortest predicate chains from a unit's roots to each node it owns."""

    def __init__(self, unit: _Unit) -> None:
        out: dict[Node, list[tuple[Node, Node]]] = {}
        for s, p, o in unit.triples:
            out.setdefault(s, []).append((p, o))
        self.routes: dict[Node, tuple[Node, tuple[str, ...]]] = {}
        # The roots first; then any node still unreached (a cycle no root leads into).
        starts = [*unit.roots, *sorted(out, key=lambda n: (isinstance(n, BNode), str(n)))]
        for root in starts:
            if root in self.routes:
                continue
            self.routes[root] = (root, ())
            queue = deque([root])
            while queue:
                node = queue.popleft()
                start, preds = self.routes[node]
                for p, o in sorted(out.get(node, ()), key=lambda po: (str(po[0]), str(po[1]))):
                    if o not in self.routes and isinstance(o, URIRef | BNode):
                        self.routes[o] = (start, (*preds, str(p)))
                        queue.append(o)

    def route(self, node: Node) -> tuple[Node | None, tuple[str, ...]]:
        found = self.routes.get(node)
        return found if found is not None else (None, ())


#: A predicate's field name and CURIE, computed once per predicate (both are the same for
#: every result: pure functions of the IRI and the shipped model).
_field_name = lru_cache(maxsize=4096)(field_name)
_curie = lru_cache(maxsize=4096)(curie)


def _spec_field(spec: PathSpec) -> str:
    kind = spec[0]
    if kind == "p":
        return _field_name(spec[1])
    if kind == "inv":
        return "^" + _spec_field(spec[1])
    if kind == "seq":
        return ".".join(_spec_field(p) for p in spec[1])
    if kind == "alt":
        return "|".join(_spec_field(p) for p in spec[1])
    return _spec_field(spec[1]) + {"zeroOrMore": "*", "oneOrMore": "+"}.get(kind, "?")


def _spec_curie(spec: PathSpec) -> str:
    kind = spec[0]
    if kind == "p":
        return _curie(spec[1])
    if kind == "inv":
        return "^" + _spec_curie(spec[1])
    if kind == "seq":
        return "/".join(_spec_curie(p) for p in spec[1])
    if kind == "alt":
        return "(" + "|".join(_spec_curie(p) for p in spec[1]) + ")"
    return _spec_curie(spec[1]) + {"zeroOrMore": "*", "oneOrMore": "+"}.get(kind, "?")


def _last_predicate(spec: PathSpec | None) -> str | None:
    if spec is None:
        return None
    if spec[0] == "p":
        return str(spec[1])
    if spec[0] == "seq" and spec[1]:
        return _last_predicate(spec[1][-1])
    return None


def _flattenable(raw: RawResult) -> bool:
    """True when a ``sh:node`` failure is better reported as its nested fields.

    Agents, contact points, distributions: the details name the nested field that is wrong.
    Controlled-vocabulary restrictions (details on ``skos:inScheme`` of a concept, or on the
    concept itself) are not: the steward wrote the concept, so the outer result, whose message
    names the vocabulary, is the useful one.
    """
    if raw.component != "Node" or not raw.details:
        return False
    return all(d.path is not None and d.path != ("p", str(SKOS.inScheme)) for d in raw.details)


def _leaves(
    raw: RawResult, chain: tuple[PathSpec, ...]
) -> list[tuple[RawResult, tuple[PathSpec, ...]]]:
    if not _flattenable(raw):
        return [(raw, chain)]
    below = (*chain, raw.path) if raw.path is not None else chain
    out = []
    for detail in raw.details:
        out.extend(_leaves(detail, below))
    return out


def _term_text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _value_kind(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return "iri"
    if isinstance(node, BNode):
        return "bnode"
    return "literal"


_CONSTRAINT_NAMES = {"SPARQL": "sh:sparql"}


def _constraint(component: str) -> str:
    if not component:
        return ""
    return _CONSTRAINT_NAMES.get(component, "sh:" + component[0].lower() + component[1:])


def _convert(
    unit: _Unit, tracer: _Tracer, raw: RawResult, profile: Profile
) -> list[ValidationResult]:
    start, route = tracer.route(raw.focus)
    dataset = unit.dataset or (str(start) if isinstance(start, URIRef) else "")
    out = []
    for leaf, chain in _leaves(raw, ()):
        specs: list[PathSpec] = [("p", p) for p in route]
        specs.extend(chain)
        if leaf.path is not None:
            specs.append(leaf.path)
        field_path = ".".join(_spec_field(s) for s in specs)
        prop = "/".join(_spec_curie(s) for s in specs)
        predicate = _last_predicate(leaf.path)
        # A nested result is explained by its own rule, never by the rule of the shape it
        # sits in (a distribution's date is not "Each dcat:Dataset must have a distribution").
        shape_message = leaf.shape_message
        # pySHACL repeats the focus node as the value of node-level results: not a value. A
        # property's value that happens to be the focus (a landing page that is the dataset's
        # own IRI) is a value, and shown.
        value = None if leaf.path is None and leaf.value == leaf.focus else leaf.value
        explanation = explain(
            leaf.component,
            field_path,
            predicate,
            leaf.param_map,
            _term_text(value) if not isinstance(value, BNode) else None,
            _value_kind(value),
            shape_message,
            raw.severity,
            subject="This node" if raw.described else "The document",
        )
        message = explanation.message
        if (
            profile.level_from_access_rights
            and leaf.component == "HasValue"
            and predicate == str(DCTERMS.accessRights)
        ):
            message = (
                f"`{field_path}` must be one of the EU access rights PUBLIC, RESTRICTED or "
                "NON_PUBLIC; HealthDCAT-AP decides from it which fields are mandatory."
            )
        out.append(
            ValidationResult(
                dataset=dataset,
                path=field_path,
                severity=raw.severity,
                message=message,
                hint=explanation.hint,
                property=prop,
                focus_node=_term_text(leaf.focus) or "",
                value=_term_text(value),
                source_shape=leaf.source_shape or raw.source_shape,
                constraint=_constraint(leaf.component),
                shape_message=shape_message,
                result_path=leaf.path,
                focus_term=leaf.focus,
                value_term=value,
                constraint_component=str(SH[leaf.component + "ConstraintComponent"])
                if leaf.component
                else "",
            )
        )
    return out


def _deduplicate(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """One result per (dataset, field, focus, constraint, value, severity).

    DCAT-AP and HealthDCAT-AP put property shapes with the same constraint on the same node
    shapes; the one carrying the profile's own message is kept. Between two that both carry
    one (or neither does), the choice follows their content, not the order pySHACL found them
    in: that order follows Python's hash seed, so the same document gave another message and
    source shape from one process to the next.
    """
    kept: dict[tuple[Any, ...], ValidationResult] = {}
    for r in results:
        key = (r.dataset, r.path, r.property, r.focus_node, r.constraint, r.value, r.severity)
        previous = kept.get(key)
        if previous is None or _preference(r) < _preference(previous):
            kept[key] = r
    # A value outside the allowed values (``sh:in``, with the list in its hint) is said once:
    # that it is then neither an IRI, nor of the class, nor a concept of the vocabulary adds
    # only words about RDF to what the steward must fix (a code typed wrong in a spreadsheet).
    outside = {
        (r.dataset, r.path, r.focus_node, r.value, r.severity)
        for r in kept.values()
        if r.constraint == "sh:in" and r.value is not None
    }
    return [
        r
        for r in kept.values()
        if r.constraint not in _SAID_BY_IN
        or (r.dataset, r.path, r.focus_node, r.value, r.severity) not in outside
    ]


#: The constraints an allowed-values result (``sh:in``) on the same value already says.
_SAID_BY_IN = frozenset({"sh:nodeKind", "sh:class", "sh:node"})


def _preference(r: ValidationResult) -> tuple[bool, str, str, str, str]:
    return (r.shape_message is None, r.source_shape, r.message, r.hint, r.shape_message or "")


# --- the validator ------------------------------------------------------------------------


def _as_graph(item: Any) -> Graph:
    if isinstance(item, ConjunctiveGraph):  # a TriG / N-Quads document: its union is validated
        merged = Graph()
        for s, p, o, _ in item.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    if isinstance(item, Graph):
        return item
    inner = getattr(item, "graph", None)
    if isinstance(inner, Graph):
        return inner
    raise TypeError(f"cannot validate a {type(item).__name__}: give an rdflib Graph or a Record")


def _shutdown(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)


class Validator:
    """Validates graphs against one profile; reusable, and cheap to reuse.

    ``Validator("healthdcat-ap-r8").validate(graph)`` validates every record in ``graph``;
    :meth:`validate_many` validates many documents together, in batches, and in ``workers``
    processes once there are at least ``parallel_from`` records (starting the processes takes
    seconds; smaller jobs run in this process). Close the validator (or use it as a context
    manager) to stop its worker processes. Programs that use worker processes must guard their
    entry point with ``if __name__ == "__main__":`` (they are started with ``spawn``).
    """

    def __init__(
        self,
        profile: str | Profile | None = None,
        *,
        settings: Settings | None = None,
        workers: int | None = None,
        batch_size: int | None = None,
        parallel_from: int = 16,
    ) -> None:
        self.settings = settings if settings is not None else Settings.model_validate({})
        if isinstance(profile, Profile):
            self.profile = profile
        else:
            self.profile = get_profile(profile or self.settings.default_profile)
        self.workers = max(1, workers if workers is not None else self.settings.validation_workers)
        self.batch_size = max(
            1, batch_size if batch_size is not None else self.settings.validation_batch_size
        )
        #: Fewest records for which starting worker processes (seconds) pays off.
        self.parallel_from = max(1, parallel_from)
        self._pool: ProcessPoolExecutor | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # --- public API ---------------------------------------------------------------

    def validate(self, graph: Graph) -> ValidationReport:
        """The report for every record in ``graph`` (and the rest of the document)."""
        return self.validate_many([graph])[0]

    def validate_many(self, graphs: Sequence[Graph | Record]) -> list[ValidationReport]:
        """One report per graph (or record: anything with a ``graph``), in order.

        All graphs are validated together, in batches; a record in one graph may point to a
        record in another (a dataset to its series) and is checked as if they came together.

        Records that carry their triples as N-Triples text (a harvest's, :func:`gdcat.harvest.
        parsing.record_of`) are batched here from their text and cut, validated and reported
        on where their batch runs (:func:`validate_text_batch`): the same reports, without
        rdflib graphs in this process nor rdflib terms pickled to the workers.
        """
        if not graphs:
            return []
        texts = [_text_unit(i, item, self.profile) for i, item in enumerate(graphs)]
        if all(unit is not None for unit in texts):
            return self._validate_texts([unit for unit in texts if unit is not None])
        documents = [_as_graph(g) for g in graphs]
        units: list[_Unit] = []
        datasets: list[list[str]] = []
        for index, graph in enumerate(documents):
            found = _units_of(index, graph, self.profile)
            units.extend(found)
            datasets.append([u.dataset for u in found if u.dataset])
        _add_stubs(units)
        parallel = self.workers > 1 and (self._pool is not None or len(units) >= self.parallel_from)
        batches = _batches(units, parallel, self.batch_size, self.workers)
        engine = self.settings.validation_engine
        jobs = [(self.profile.name, b.level, _batch_triples(b), engine) for b in batches]
        outcomes = self._map(validate_batch, jobs, parallel)
        per_document: list[list[ValidationResult]] = [[] for _ in documents]
        for batch, raws in zip(batches, outcomes, strict=True):
            for unit, results in _attribute(batch, raws, self.profile):
                per_document[unit.source].extend(results)
        return [
            ValidationReport.from_results(_deduplicate(results), self.profile.name, datasets[i])
            for i, results in enumerate(per_document)
        ]

    def _validate_texts(self, units: list[_TextUnit]) -> list[ValidationReport]:
        """:meth:`validate_many` of records given as text, one unit each."""
        _add_text_stubs(units)
        parallel = self.workers > 1 and (self._pool is not None or len(units) >= self.parallel_from)
        batches = _batches(units, parallel, self.batch_size, self.workers)
        engine = self.settings.validation_engine
        jobs = [
            (
                self.profile.name,
                b.level,
                [(u.dataset, u.ntriples, "".join(u.stubs)) for u in b.units],
                engine,
            )
            for b in batches
        ]
        outcomes = self._map(validate_text_batch, jobs, parallel)
        per_record: list[list[ValidationResult]] = [[] for _ in units]
        for batch, found in zip(batches, outcomes, strict=True):
            for position, results in found:
                per_record[batch.units[position].source].extend(results)
        return [
            ValidationReport.from_results(
                _deduplicate(results), self.profile.name, [units[i].dataset]
            )
            for i, results in enumerate(per_record)
        ]

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._pool = None

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals -----------------------------------------------------------------

    def _units(self, index: int, graph: Graph) -> list[_Unit]:
        return _units_of(index, graph, self.profile)

    def _batches(self, units: list[_Unit], parallel: bool) -> list[_Batch[_Unit]]:
        return _batches(units, parallel, self.batch_size, self.workers)

    def _map(
        self, function: Callable[..., T], jobs: list[tuple[Any, ...]], parallel: bool
    ) -> list[T]:
        """``function`` over ``jobs``: in the worker processes, or here for one job."""
        if not parallel or len(jobs) <= 1:
            return [function(*job) for job in jobs]
        pool = self._executor()
        futures = [pool.submit(function, *job) for job in jobs]
        try:
            return [f.result() for f in futures]
        except BrokenExecutor as e:
            self.close()
            raise GdcatError(f"a validation worker process stopped unexpectedly: {e}") from e

    def _executor(self) -> Executor:
        if self._pool is None:
            check_profile(self.profile.name)  # a broken shapes set fails here, not in a worker
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_worker,
                initargs=(self.profile.name,),
            )
            self._finalizer = weakref.finalize(self, _shutdown, self._pool)
        return self._pool


def _units_of(index: int, graph: Graph, profile: Profile) -> list[_Unit]:
    """The units of one document (see the module's docstring)."""
    roots = {str(root): root for root in record_roots(graph)}
    boundary = record_boundary(graph, roots.values())
    units: list[_Unit] = []
    covered: set[Triple] = set()
    for iri, root in sorted(roots.items()):
        triples = closure_triples(graph, root, boundary)
        covered.update(triples)
        owned = frozenset(s for s, _, _ in triples) | {root}
        units.append(
            _Unit(
                source=index,
                dataset=iri if isinstance(root, URIRef) else f"_:{root}",
                triples=triples,
                level=profile.level_for(graph, root),
                roots=(root,),
                owned=owned,
            )
        )
    rest = [t for t in graph if t not in covered]
    if rest or not units:
        owned = frozenset(s for s, _, _ in rest)
        units.append(
            _Unit(
                source=index,
                dataset="",
                triples=rest,
                level=profile.default_level,
                roots=_rest_roots(rest),
                owned=owned,
                whole_document=not units,
            )
        )
    return units


def _batches(units: Sequence[U], parallel: bool, batch_size: int, workers: int) -> list[_Batch[U]]:
    """Units grouped by level and packed into batches; two units that describe a subject
    differently never share one."""
    by_level: dict[str, list[U]] = {}
    for unit in units:
        by_level.setdefault(unit.level, []).append(unit)
    batches: list[_Batch[U]] = []
    for level, members in by_level.items():
        size = batch_size
        if parallel:
            size = min(size, max(1, math.ceil(len(members) / workers)))
        open_batches: list[_Batch[U]] = []
        for unit in members:
            if unit.whole_document:
                batches.append(_Batch[U](level, [unit]))
                continue
            target = next(
                (b for b in open_batches if len(b.units) < size and not b.conflicts_with(unit)),
                None,
            )
            if target is None:
                target = _Batch[U](level)
                open_batches.append(target)
            target.add(unit)
        batches.extend(open_batches)
    return batches


def _attribute(
    batch: _Batch[_Unit], raws: list[RawResult], profile: Profile
) -> list[tuple[_Unit, list[ValidationResult]]]:
    """Each result given to the units that own its focus node, as fields of theirs."""
    owners: dict[Node, list[_Unit]] = {}
    for unit in batch.units:
        for node in unit.owned:
            owners.setdefault(node, []).append(unit)
    tracers: dict[int, _Tracer] = {}
    out: dict[int, tuple[_Unit, list[ValidationResult]]] = {}
    for raw in raws:
        units = owners.get(raw.focus)
        if not units and not raw.described:
            units = [u for u in batch.units if u.whole_document]
        for unit in units or ():
            tracer = tracers.get(id(unit))
            if tracer is None:
                tracer = tracers[id(unit)] = _Tracer(unit)
            entry = out.setdefault(id(unit), (unit, []))
            entry[1].extend(_convert(unit, tracer, raw, profile))
    return list(out.values())


def check_profile(name: str) -> Profile:
    """The profile ``name`` with its shapes loaded: a broken shapes set fails here, early."""
    profile = get_profile(name)
    for level in profile.level_names:
        shapes_graph(name, level)
    return profile
