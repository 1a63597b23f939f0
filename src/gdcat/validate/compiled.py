"""pySHACL's view of a shapes graph, built once per process and reused by every run.

``pyshacl.validate(data, shacl_graph=shapes)`` starts from the shapes *graph* each time: it
wraps it in a new ``ShapesGraph``, finds every node and property shape again (a third of a
one-record run), reads each shape's targets from the graph again, writes a text description of
every result, binds the shapes' prefixes into a new report graph, and gdcat then reads each
result's shape (its message, its parameters) back out of the shapes graph. None of that depends
on the data. :class:`CompiledShapes` keeps it per shapes graph:

- one pySHACL ``ShapesGraph`` with its shape index (each run gets a new pySHACL ``Validator``,
  handed that object instead of the one it would build, so the run itself is pySHACL's own);
- each shape's targets, and each shape's predicates (which pySHACL lists every time it
  evaluates the shape, to find its constraints), read once (the shapes graph never changes
  after loading);
- no text descriptions (a run's text report is never read: results come from the report
  graph), and a report graph without the shapes' prefixes (never serialised);
- per source shape, what :mod:`gdcat.validate.runner` needs to report a result (its IRI, its
  message, its parameters), read once.

The report graph holds the same triples, added in the same order, as pySHACL's own; the tests
(``tests/validate/test_validation_snapshots.py``) compare every result of a fixed corpus with
results recorded before this module existed. Runs must not overlap (the runner's lock): the
text-description switch and pySHACL's module state are process-wide.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

log = logging.getLogger(__name__)

T = TypeVar("T")

#: pySHACL's ``Validator`` options, as ``pyshacl.validate(..., inference="none",
#: advanced=False, allow_warnings=True)`` sets them for an rdflib data graph.
_OPTIONS: dict[str, Any] = {
    "debug": False,
    "inference": "none",
    "inplace": False,
    "abort_on_first": False,
    "allow_infos": False,
    "allow_warnings": True,
    "advanced": False,
    "iterate_rules": False,
    "use_js": None,
    "sparql_mode": False,
    "focus_nodes": None,
    "use_shapes": None,
}

_validator_class: Any = None


class ShapesSource(Protocol):
    """Where the runner reads what a result's shape says (its IRI, message, parameters)."""

    graph: Graph

    def memo(self, kind: str, node: Node | None, build: Callable[[Graph, Node | None], T]) -> T:
        """``build(graph, node)``; the same value every time for the same ``kind`` and node."""
        ...


def _quiet_validator() -> Any:
    """pySHACL's ``Validator`` with a report graph built without text and without prefixes."""
    global _validator_class
    if _validator_class is not None:
        return _validator_class
    import rdflib
    from pyshacl import Validator as PyshaclValidator
    from pyshacl.consts import RDF_type, SH_conforms, SH_result, SH_ValidationReport
    from pyshacl.rdfutil.clone import clone_blank_node

    class QuietValidator(PyshaclValidator):
        @classmethod
        def create_validation_report(
            cls, sg: Any, conforms: bool, results: list[tuple[Any, Any, Any]]
        ) -> tuple[Graph, str]:
            # pySHACL's own, less the text report and the prefix bindings.
            if not conforms and not results:
                raise RuntimeError(
                    "A Non-Conformant Validation Report must have at least one result."
                )
            vg = rdflib.Graph(bind_namespaces="none")
            vr = BNode()
            vg.add((vr, RDF_type, SH_ValidationReport))
            vg.add((vr, SH_conforms, rdflib.Literal(conforms)))
            cloned: dict[tuple[Any, str], Node] = {}
            for _, result_node, triples in results:
                vg.add((vr, SH_result, result_node))
                for s, p, o in triples:
                    if isinstance(o, tuple):
                        source, node = o
                        if isinstance(node, rdflib.Literal):
                            o = node
                        else:
                            key = (source, str(node))
                            if key in cloned:
                                o = cloned[key]
                            elif isinstance(node, BNode):
                                cloned[key] = o = clone_blank_node(source, node, vg, keepid=True)
                            else:
                                cloned[key] = o = URIRef(str(node))
                    vg.add((s, p, o))
            return vg, ""

    _validator_class = QuietValidator
    return QuietValidator


@contextmanager
def _no_descriptions() -> Iterator[None]:
    """For one run, pySHACL writes no text description of its results (nobody reads them)."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    previous = ConstraintComponent.__dict__["make_v_result_description"]
    setattr(ConstraintComponent, "make_v_result_description", _empty_description)  # noqa: B010
    try:
        yield
    finally:
        setattr(ConstraintComponent, "make_v_result_description", previous)  # noqa: B010


@contextmanager
def _known_targets(targets: dict[int, tuple[tuple[Node, ...], ...]]) -> Iterator[None]:
    """For one run, the shapes of ``targets`` (keyed by ``id``) answer ``target()`` from it.

    pySHACL reads a shape's five kinds of targets from the shapes graph each time it looks for
    the shape's focus nodes; the answer never changes. Other shapes read the graph as before.
    """
    from pyshacl.shape import Shape

    original = Shape.__dict__["target"]

    def target(shape: Any) -> Any:
        found = targets.get(id(shape))
        return found if found is not None else original(shape)

    setattr(Shape, "target", target)  # noqa: B010
    try:
        yield
    finally:
        setattr(Shape, "target", original)  # noqa: B010


@contextmanager
def quiet_pyshacl() -> Iterator[None]:
    """For one run of :mod:`gdcat.validate.engine`: pySHACL's components it calls write no
    text descriptions of their results (nobody reads them)."""
    with _no_descriptions():
        yield


def _empty_description(self: Any, *args: Any, **kwargs: Any) -> str:
    return ""


class _PredicateObjects:
    """``ShapesGraph.predicate_objects``, each subject's pairs read from the graph once.

    pySHACL lists a shape's predicates every time it evaluates the shape (once per focus node
    for shapes reached through ``sh:node``), to find its constraint parameters.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.known: dict[Node, tuple[tuple[Node, Node], ...]] = {}

    def __call__(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        found = self.known.get(subject)
        if found is None:
            found = self.known[subject] = tuple(self.graph.predicate_objects(subject))
        return iter(found)


class CompiledShapes:
    """A shapes graph as pySHACL uses it, prepared once; :meth:`run` validates data with it."""

    def __init__(self, shapes: Graph) -> None:
        from pyshacl.shapes_graph import ShapesGraph

        self.graph = shapes
        self.shapes_graph = ShapesGraph(shapes, False, log)
        # Building pySHACL's shape index (once), and each shape's targets, read once.
        self._targets: dict[int, tuple[tuple[Node, ...], ...]] = {
            id(shape): tuple(tuple(part) for part in shape.target())
            for shape in self.shapes_graph.shapes
        }
        self._memo: dict[tuple[str, Node | None], Any] = {}
        self.shapes_graph.predicate_objects = _PredicateObjects(shapes)  # type: ignore[method-assign]

    def run(self, data: Graph) -> Graph:
        """pySHACL's report graph for ``data`` (the data graph is not copied or changed)."""
        from pyshacl.graph_abstraction import DataGraph
        from pyshacl.monkey import apply_patches

        apply_patches()  # type: ignore[no-untyped-call]
        options = dict(_OPTIONS, logger=log)
        validator = _quiet_validator()(
            DataGraph.from_rdflib(data), shacl_graph=self.graph, options=options
        )
        validator.shacl_graph = self.shapes_graph  # instead of the new one it just made
        with _no_descriptions(), _known_targets(self._targets):
            _, report, _ = validator.run()
        assert isinstance(report, Graph)
        return report

    def targets_of(self, shape: Any) -> tuple[tuple[Node, ...], ...]:
        """pySHACL's five kinds of targets of ``shape`` (one of :attr:`shapes_graph`'s)."""
        return self._targets[id(shape)]

    def memo(self, kind: str, node: Node | None, build: Callable[[Graph, Node | None], T]) -> T:
        """``build(graph, node)``, computed once per shapes node (the graph never changes)."""
        key = (kind, node)
        if key in self._memo:
            found: T = self._memo[key]
            return found
        value = self._memo[key] = build(self.graph, node)
        return value
