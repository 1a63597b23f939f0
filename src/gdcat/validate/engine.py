"""gdcat's own SHACL engine: pySHACL's results, from plans compiled once per shapes graph.

pySHACL spends most of a run on its own machinery (a constraint object built per shape per
focus node, the shape's predicates listed again for every evaluation, an rdflib lookup per
value, a report graph written and read back). This engine evaluates the same shapes the same
way, on an index of the batch built once:

- the shapes are pySHACL's own (:class:`~gdcat.validate.compiled.CompiledShapes` holds its
  ``ShapesGraph``): the same shapes, paths, severities, targets and constraint parameters,
  parsed by pySHACL's own constraint classes once per process;
- the data graph is indexed once per batch (subject → predicate → objects, predicate →
  subject/object pairs, and their inverse on demand), and each top-level shape's focus nodes
  found from it as pySHACL finds them (``rdf:type`` with the data's ``rdfs:subClassOf``);
- each constraint component the shipped profiles use (``sh:class``, ``sh:datatype``,
  ``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, ``sh:in``,
  ``sh:closed``, ``sh:pattern``, ``sh:uniqueLang``, ``sh:minInclusive``, ``sh:node``,
  ``sh:property``, ``sh:or``) is evaluated here, line for line as pySHACL evaluates it,
  conformance rules included (with warnings allowed, a shape of severity Warning or Info
  always "conforms", which ``sh:or`` reads);
- every other component (``sh:sparql``, ``sh:lessThanOrEquals``, anything a future shapes
  file brings) is evaluated by pySHACL's own constraint class on the same data graph, with the
  same evaluation path: it is never skipped. A shapes graph this engine cannot follow at all
  (custom constraint components, shapes that reach themselves) is validated by pySHACL whole.
  Of ``sh:sparql``, only a query :mod:`.sparql_native` answers with no row for a focus node
  is answered here (nothing to report: ``ShapePlan._sparql_check``).

Results come out as :class:`Found` trees (a ``sh:node`` result carries its details), which the
runner turns into its results exactly as it turns pySHACL's report graph.
``tests/validate/test_engine_equivalence.py`` runs both engines on every corpus of the
snapshot test and on broken records, across the five profiles, and asserts identical results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

log = logging.getLogger(__name__)

_ALLOWED = frozenset({SH.Info, SH.Warning})
_MAX_DEPTH = 15  # pySHACL's executor.max_validation_depth
_RDF_TYPE = RDF.type
_NOTHING: frozenset[Node] = frozenset()
_NO_PREDICATES: dict[Node, set[Node]] = {}
#: The components whose checks hand pySHACL's evaluation path on (to the shapes they reach).
_PATH_READERS = frozenset(
    {"NodeConstraintComponent", "PropertyConstraintComponent", "OrConstraintComponent"}
)
_SUBCLASS = RDFS.subClassOf
#: The terms the engine looks data up by itself (not through the shapes).
ENGINE_TERMS = (_RDF_TYPE, _SUBCLASS)
#: The components whose checks find nothing, and conform, when no focus node has a value
#: (each looks at the values only; ``sh:minCount 0`` too, see ``_native_check``).
_EMPTY_SAFE = frozenset(
    {
        "MaxCountConstraintComponent",
        "ClassConstraintComponent",
        "DatatypeConstraintComponent",
        "NodeKindConstraintComponent",
        "InConstraintComponent",
        "ClosedConstraintComponent",
        "PatternConstraintComponent",
        "MinInclusiveConstraintComponent",
        "NodeConstraintComponent",
        "PropertyConstraintComponent",
        "OrConstraintComponent",
    }
)


@dataclass(frozen=True, slots=True)
class Found:
    """One result as pySHACL's report graph holds it."""

    focus: Node
    value: Node | None
    #: The result path node (in the shapes graph, or a predicate from ``sh:closed``).
    path: Node | None
    component: URIRef
    shape: Node
    severity: Node
    #: ``sh:sourceConstraint`` (a SPARQL-based constraint's node), else None.
    constraint: Node | None
    details: tuple[Found, ...] = ()


FocusValues = dict[Node, Set[Node]]
Outcome = tuple[bool, list[Found]]


class Index:
    """The batch's data graph, indexed once (the triples pySHACL's data graph would hold)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        out: dict[Node, dict[Node, set[Node]]] = {}
        by_predicate: dict[Node, list[tuple[Node, Node]]] = {}
        size = 0
        for s, p, o in triples:
            po = out.get(s)
            if po is None:
                po = out[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = set()
            elif o in objects:
                continue
            objects.add(o)
            size += 1
            pairs = by_predicate.get(p)
            if pairs is None:
                pairs = by_predicate[p] = []
            pairs.append((s, o))
        self.out = out
        self.by_predicate = by_predicate
        self.size = size
        self._inverse: dict[Node, dict[Node, set[Node]]] = {}
        self._by_object: dict[Node, list[tuple[Node, Node]]] | None = None
        self._superclasses: dict[Node, set[Node]] = {}
        self._subclasses: dict[Node, set[Node]] = {}
        sub: dict[Node, set[Node]] = {}
        sup: dict[Node, set[Node]] = {}
        for s, o in by_predicate.get(_SUBCLASS, ()):
            sup.setdefault(s, set()).add(o)
            sub.setdefault(o, set()).add(s)
        self._direct_super = sup
        self._direct_sub = sub
        self._graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """An rdflib graph of the same triples, answered from this index (for pySHACL's own
        components and rdflib's SPARQL engine); the namespaces of a new ``Graph()``."""
        if self._graph is None:
            self._graph = Graph(store=IndexStore(self))
        return self._graph

    def objects(self, subject: Node, predicate: Node) -> Set[Node]:
        """The objects (the index's own set: never to be changed)."""
        po = self.out.get(subject)
        if po is None:
            return _NOTHING
        return po.get(predicate, _NOTHING)

    def _inverse_of(self, predicate: Node) -> dict[Node, set[Node]]:
        inverse = self._inverse.get(predicate)
        if inverse is None:
            inverse = self._inverse[predicate] = {}
            for s, o in self.by_predicate.get(predicate, ()):
                inverse.setdefault(o, set()).add(s)
        return inverse

    def subjects(self, predicate: Node, obj: Node) -> Set[Node]:
        return self._inverse_of(predicate).get(obj, _NOTHING)

    def types(self, subject: Node) -> Iterable[Node]:
        po = self.out.get(subject)
        if po is None:
            return ()
        return po.get(_RDF_TYPE, ())

    def with_superclasses(self, cls: Node) -> set[Node]:
        """``cls`` and its ``rdfs:subClassOf`` ancestors in the data (rdflib's
        ``transitive_objects``)."""
        return self._closure(cls, self._direct_super, self._superclasses)

    def with_subclasses(self, cls: Node) -> set[Node]:
        return self._closure(cls, self._direct_sub, self._subclasses)

    @staticmethod
    def _closure(
        start: Node, edges: dict[Node, set[Node]], memo: dict[Node, set[Node]]
    ) -> set[Node]:
        found = memo.get(start)
        if found is None:
            found = {start}
            todo = [start]
            while todo:
                for nxt in edges.get(todo.pop(), ()):
                    if nxt not in found:
                        found.add(nxt)
                        todo.append(nxt)
            memo[start] = found
        return found

    def described(self, node: Node) -> bool:
        return node in self.out

    def match(
        self, s: Node | None, p: Node | None, o: Node | None
    ) -> Iterator[tuple[Node, Node, Node]]:
        """The triples matching a pattern (None: any term)."""
        if s is not None:
            po = self.out.get(s)
            if po is None:
                return
            if p is not None:
                objects = po.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield s, p, o
                    return
                for obj in objects:
                    yield s, p, obj
                return
            for pred, objects in po.items():
                if o is None:
                    for obj in objects:
                        yield s, pred, obj
                elif o in objects:
                    yield s, pred, o
            return
        if p is not None:
            if o is not None:
                for subj in self._inverse_of(p).get(o, ()):
                    yield subj, p, o
                return
            for subj, obj in self.by_predicate.get(p, ()):
                yield subj, p, obj
            return
        if o is not None:
            if self._by_object is None:
                by_object: dict[Node, list[tuple[Node, Node]]] = {}
                for pred, pairs in self.by_predicate.items():
                    for subj, obj in pairs:
                        by_object.setdefault(obj, []).append((subj, pred))
                self._by_object = by_object
            for subj, pred in self._by_object.get(o, ()):
                yield subj, pred, o
            return
        for pred, pairs in self.by_predicate.items():
            for subj, obj in pairs:
                yield subj, pred, obj


class IndexStore(Memory):
    """rdflib's in-memory store (its namespaces included), its triples answered by an
    :class:`Index`: a graph over a batch costs nothing to build."""

    def __init__(self, index: Index) -> None:
        super().__init__()
        self.index = index

    def triples(  # type: ignore[override]
        self, triple_pattern: Any, context: Any = None
    ) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        s, p, o = triple_pattern
        for triple in self.index.match(s, p, o):
            yield triple, iter(())

    def __len__(self, context: Any = None) -> int:
        return self.index.size

    def add(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a validation graph is read-only")

    def remove(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a validation graph is read-only")


class Run:
    """What one evaluation needs: the index, nested results already known, and pySHACL's
    data graph and executor (for the components evaluated by pySHACL itself)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        #: (shape plan, focus node) → outcome: a shape reached through ``sh:node``,
        #: ``sh:property`` or ``sh:or`` gives the same outcome for the same node wherever
        #: it is reached from (the engine takes no shapes graph whose shapes reach themselves).
        self.known: dict[tuple[int, Node], Outcome] = {}
        self._pyshacl: tuple[Any, Any] | None = None
        self._namespaces: dict[str, Any] | None = None

    def pyshacl(self) -> tuple[Any, Any]:
        """(executor, data graph) as pySHACL's validator would hand its components."""
        if self._pyshacl is None:
            from pyshacl.graph_abstraction import DataGraph
            from pyshacl.pytypes import SHACLExecutor

            executor = SHACLExecutor(allow_warnings=True)
            self._pyshacl = (executor, DataGraph.from_rdflib(self.index.graph))
        return self._pyshacl

    def namespaces(self) -> dict[str, Any]:
        """The namespaces rdflib's ``Graph.query`` hands the SPARQL processor for queries on
        the index's graph (the graph's own: the same all run long)."""
        if self._namespaces is None:
            self._namespaces = dict(self.index.graph.namespaces())
        return self._namespaces


Check = Callable[[Run, FocusValues, list[Any]], Outcome]


class Unsupported(Exception):
    """The shapes graph needs pySHACL whole."""


class ShapePlan:
    """One pySHACL shape, its constraints compiled to checks."""

    def __init__(self, engine: Engine, shape: Any) -> None:
        self.engine = engine
        self.shape = shape
        self.node: Node = shape.node
        self.is_property = bool(shape.is_property_shape)
        self.path_node: Node | None = shape.path() if self.is_property else None
        self.severity: Node = shape.severity
        self.allow_conform = self.severity in _ALLOWED
        self.deactivated = bool(shape.deactivated)
        self.checks: list[tuple[Any, Check]] = []
        self._compiled = False
        self._values: Callable[[Run, Node], Set[Node]] | None = None
        self._predicate: URIRef | None = None
        self._passes_path = True
        #: True when every check gives (True, []) for focus nodes without values: such a
        #: node's outcome is known without running them.
        self._empty_safe = False

    # --- compilation ------------------------------------------------------------------

    def compile(self) -> None:
        if self._compiled:
            return
        self._compiled = True
        from pyshacl.errors import ConstraintLoadError, ConstraintLoadWarning

        parameters, component_map = _constraint_parameters()
        classes: list[Any] = []
        for p, _ in self.engine.sg.predicate_objects(self.node):
            if p in parameters:
                cls = component_map[p]
                if cls not in classes:
                    classes.append(cls)
        for cls in classes:
            try:
                component = cls(self.shape)
            except ConstraintLoadWarning:
                continue  # pySHACL skips it the same way
            except ConstraintLoadError:
                # pySHACL raises when it evaluates the shape: so does the fallback
                self.checks.append((None, self._pyshacl_check(cls)))
                continue
            check = self._native_check(component)
            if check is None:
                check = self._pyshacl_component_check(component)
            self.checks.append((component, check))
        if self.is_property:
            assert self.path_node is not None
            self._values = self.engine.path_function(self.path_node)
            if isinstance(self.path_node, URIRef):
                self._predicate = self.path_node
        self._passes_path = any(getattr(check, "passes_path", True) for _, check in self.checks)
        self._empty_safe = all(getattr(check, "empty_safe", False) for _, check in self.checks)

    def _native_check(self, c: Any) -> Check | None:
        name = type(c).__name__
        build = getattr(self, "_check_" + name, None)
        if build is None:
            return None
        check: Check | None = build(c)
        if check is not None and name not in _PATH_READERS:
            check.passes_path = False  # type: ignore[attr-defined]
        if check is not None and (
            name in _EMPTY_SAFE
            or (name == "MinCountConstraintComponent" and int(c.min_count.value) == 0)
        ):
            check.empty_safe = True  # type: ignore[attr-defined]
        return check

    def _pyshacl_component_check(self, component: Any) -> Check:
        for helper in getattr(component, "sparql_constraints", ()):
            _prepare_once(helper)
        if type(component).__name__ == "SPARQLBasedConstraint" and hasattr(
            component, "_evaluate_sparql_constraint"
        ):
            return self._sparql_check(component)

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            executor, graph = run.pyshacl()
            ok, reports = component.evaluate(executor, graph, fvn, [*path, component])
            return bool(ok), [_from_report(node, triples) for _, node, triples in reports]

        return check

    def _sparql_check(self, component: Any) -> Check:
        """pySHACL's ``SPARQLConstraintComponent.evaluate``, its queries answered from the
        index where :mod:`.sparql_native` can (rdflib's rows, see there).

        pySHACL evaluates each of the component's SPARQL constraints for each focus node in
        turn, and a focus node whose query gives no row gives no result. Such a query is
        answered here without pySHACL's and rdflib's machinery around it (the query text bound,
        rdflib's ``Graph.query`` with the graph's namespaces, its result object); every other
        evaluation (a query with rows, one the index cannot answer) is pySHACL's own, for that
        constraint and focus node, so the results and their order are pySHACL's.
        """
        from gdcat.validate.sparql_cache import prepared
        from gdcat.validate.sparql_native import plan_of

        evaluate = component._evaluate_sparql_constraint

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            _, graph = run.pyshacl()
            namespaces = run.namespaces()
            out: list[Found] = []
            for helper in component.sparql_constraints:
                if helper.deactivated:
                    continue
                for f, vs in fvn.items():
                    bindings, text = helper.pre_bind_variables(f)
                    text = helper.apply_prefixes(text)
                    plan = plan_of(prepared(text, None, namespaces))
                    if plan is not None:
                        answer = plan.run(run.index, bindings or {})
                        if answer is not None and not answer["bindings"]:
                            continue  # no row: pySHACL reports nothing for this node
                    _, reports = evaluate(helper, graph, {f: vs})
                    out.extend(_from_report(node, triples) for _, node, triples in reports)
            return not out, out

        return check

    def _pyshacl_check(self, cls: Any) -> Check:
        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            cls(self.shape)  # raises pySHACL's error
            raise AssertionError("unreachable")

        return check

    def result(
        self,
        component: URIRef,
        focus: Node,
        value: Node | None = None,
        path: Node | None = None,
        details: tuple[Found, ...] = (),
    ) -> Found:
        return Found(
            focus,
            value,
            path if path is not None else self.path_node,
            component,
            self.node,
            self.severity,
            None,
            details,
        )

    # --- the components -------------------------------------------------------------

    def _check_MinCountConstraintComponent(self, c: Any) -> Check:
        minimum = int(c.min_count.value)
        component = SH.MinCountConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            if minimum == 0:
                return True, []
            out = [self.result(component, f) for f, vs in fvn.items() if not len(vs) >= minimum]
            return not out, out

        return check

    def _check_MaxCountConstraintComponent(self, c: Any) -> Check:
        maximum = int(c.max_count.value)
        component = SH.MaxCountConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out = [self.result(component, f) for f, vs in fvn.items() if not len(vs) <= maximum]
            return not out, out

        return check

    def _check_ClassConstraintComponent(self, c: Any) -> Check:
        rules = list(c.class_rules)
        component = SH.ClassConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            index = run.index
            out: list[Found] = []
            for rule in rules:
                for f, vs in fvn.items():
                    for v in vs:
                        found = False
                        if not isinstance(v, Literal):
                            for ctype in index.types(v):
                                if ctype == rule or rule in index.with_superclasses(ctype):
                                    found = True
                                    break
                        if not found:
                            out.append(self.result(component, f, v))
            return not out, out

        return check

    def _check_DatatypeConstraintComponent(self, c: Any) -> Check:
        rule = c.datatype_rule
        component = SH.DatatypeConstraintComponent
        matches = _datatype_matcher(c, rule)

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out = [
                self.result(component, f, v) for f, vs in fvn.items() for v in vs if not matches(v)
            ]
            return not out, out

        return check

    def _check_NodeKindConstraintComponent(self, c: Any) -> Check:
        rule = c.nodekind_rule
        component = SH.NodeKindConstraintComponent
        bnode = rule in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
        literal = rule in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
        iri = rule in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)

        def kind_ok(v: Node) -> bool:
            if isinstance(v, BNode):
                return bnode
            if isinstance(v, Literal):
                return literal
            return iri

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out = [
                self.result(component, f, v) for f, vs in fvn.items() for v in vs if not kind_ok(v)
            ]
            return not out, out

        return check

    def _check_HasValueConstraintComponent(self, c: Any) -> Check:
        values = list(c.has_value_set)
        component = SH.HasValueConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out = []
            for hv in values:
                for f, vs in fvn.items():
                    if not any(v == hv for v in vs):
                        out.append(self.result(component, f))
            return not out, out

        return check

    def _check_InConstraintComponent(self, c: Any) -> Check:
        allowed = c.in_vals
        component = SH.InConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out = [
                self.result(component, f, v)
                for f, vs in fvn.items()
                for v in vs
                if v not in allowed
            ]
            return not out, out

        return check

    def _check_ClosedConstraintComponent(self, c: Any) -> Check | None:
        if not c.is_closed:
            return lambda run, fvn, path: (True, [])
        working: set[Node] = set()
        for p_shape in c.property_shapes:
            other = self.shape.get_other_shape(p_shape)
            if not other or not other.is_property_shape:
                return None  # pySHACL raises: its own component does
            p = other.path()
            if p:
                working.add(p)
        ignored = c.ignored_props
        always = c.ALWAYS_IGNORE
        component = SH.ClosedConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out: list[Found] = []
            for f, vs in fvn.items():
                for v in vs:
                    for p, objects in run.index.out.get(v, {}).items():
                        if p in ignored or p in working:
                            continue
                        for o in objects:
                            if (p, o) in always:
                                continue
                            out.append(self.result(component, f, o, p))
            return not out, out

        return check

    def _check_PatternConstraintComponent(self, c: Any) -> Check:
        rules = list(c.string_rules)
        if not c.allow_multi_rules:
            rules = rules[:1]
        matchers = [c.compiled_cache[r] for r in rules]
        to_string = c.value_node_to_string
        component = SH.PatternConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out: list[Found] = []
            for matcher in matchers:
                for f, vs in fvn.items():
                    for v in vs:
                        if isinstance(v, BNode) or not matcher.search(to_string(v)):
                            out.append(self.result(component, f, v))
            return not out, out

        return check

    def _check_UniqueLangConstraintComponent(self, c: Any) -> Check:
        rules = list(c.string_rules)[:1]
        component = SH.UniqueLangConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            conforms = True
            out: list[Found] = []
            for rule in rules:
                if not rule:
                    conforms = False
                    continue
                for f, vs in fvn.items():
                    seen: set[str] = set()
                    duplicates: set[str] = set()
                    for v in vs:
                        if isinstance(v, Literal) and v.language:
                            low = str(v.language).lower()
                            if low in seen:
                                duplicates.add(low)
                            else:
                                seen.add(low)
                    for _ in duplicates:
                        out.append(self.result(component, f))
            return conforms and not out, out

        return check

    def _check_MinInclusiveConstraintComponent(self, c: Any) -> Check | None:
        from pyshacl.rdfutil.compare import compare_literal

        minimums = list(c.min_vals)
        if not all(isinstance(m, Literal) for m in minimums):
            return None
        component = SH.MinInclusiveConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out: list[Found] = []
            for m in minimums:
                min_is_string = isinstance(m.value, str)
                for f, vs in fvn.items():
                    for v in vs:
                        flag = False
                        if isinstance(v, Literal):
                            v_is_string = isinstance(v.value, str)
                            if min_is_string == v_is_string:
                                try:
                                    flag = compare_literal(v, m) >= 0  # type: ignore[no-untyped-call]
                                except (TypeError, NotImplementedError):
                                    flag = False
                        if not flag:
                            out.append(self.result(component, f, v))
            return not out, out

        return check

    def _check_NodeConstraintComponent(self, c: Any) -> Check | None:
        targets = []
        for n in c.node_shapes:
            other = self.shape.get_other_shape(n)
            if not other or other.is_property_shape:
                return None
            targets.append(self.engine.plan(other))
        component = SH.NodeConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            if not any(fvn.values()):
                return True, []
            out: list[Found] = []
            below = [*path, c]
            for plan in targets:
                for f, vs in fvn.items():
                    for v in vs:
                        ok, found = plan.validate(run, [v], below)
                        if not ok or found:
                            out.append(self.result(component, f, v, details=tuple(found)))
            return not out, out

        return check

    def _check_PropertyConstraintComponent(self, c: Any) -> Check | None:
        targets = []
        for p_shape in c.property_shapes:
            other = self.shape.get_other_shape(p_shape)
            if not other or not other.is_property_shape:
                return None
            targets.append(self.engine.plan(other))

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            if not any(fvn.values()):
                return True, []
            conforms = True
            out: list[Found] = []
            below = [*path, c]
            for plan in targets:
                for vs in fvn.values():
                    for v in vs:
                        ok, found = plan.validate(run, [v], below)
                        conforms = conforms and ok
                        out.extend(found)
            return conforms, out

        return check

    def _check_OrConstraintComponent(self, c: Any) -> Check | None:
        sg = self.engine.sg
        alternatives: list[list[ShapePlan]] = []
        for or_c in c.or_list:
            members = list(dict.fromkeys(sg.graph.items(or_c)))
            if not members:
                return None
            plans = []
            for m in members:
                other = self.shape.get_other_shape(m)
                if not other:
                    return None
                plans.append(self.engine.plan(other))
            alternatives.append(list(dict.fromkeys(plans)))
        component = SH.OrConstraintComponent

        def check(run: Run, fvn: FocusValues, path: list[Any]) -> Outcome:
            out: list[Found] = []
            below = [*path, c]
            for plans in alternatives:
                for f, vs in fvn.items():
                    for v in vs:
                        if not any(plan.validate(run, [v], below)[0] for plan in plans):
                            out.append(self.result(component, f, v))
            return not out, out

        return check

    # --- evaluation -----------------------------------------------------------------

    def value_nodes(self, run: Run, focus: Iterable[Node]) -> FocusValues:
        predicate = self._predicate
        if predicate is not None:  # the common case, inline: a predicate path
            out = run.index.out
            return {f: out.get(f, _NO_PREDICATES).get(predicate, _NOTHING) for f in focus}
        if self._values is None:
            return {f: {f} for f in focus}
        values = self._values
        return {f: values(run, f) for f in focus}

    def validate(self, run: Run, focus: list[Node], path: list[Any]) -> Outcome:
        """pySHACL's ``Shape.validate`` for ``focus``: (conforms, results)."""
        if self.deactivated or not focus:
            return True, []
        if path and len(focus) == 1 and not self.is_property:
            key = (id(self), focus[0])
            known = run.known.get(key)
            if known is None:
                known = run.known[key] = self._validate(run, focus, path)
            return known
        return self._validate(run, focus, path)

    def _validate(self, run: Run, focus: list[Node], path: list[Any]) -> Outcome:
        if not self._compiled:
            self.compile()
        predicate = self._predicate
        if predicate is not None and len(focus) == 1:  # the common case: one node, one predicate
            node = focus[0]
            values = run.index.out.get(node, _NO_PREDICATES).get(predicate, _NOTHING)
            if not values and self._empty_safe:
                return True, []
            fvn: FocusValues = {node: values}
        else:
            fvn = self.value_nodes(run, focus)
            if self._empty_safe and not any(fvn.values()):
                return True, []
        # pySHACL's evaluation path, for the checks that pass it on (shapes they reach,
        # pySHACL's own components); the others never read it.
        here = [*path, self.shape] if self._passes_path else path
        non_conformant = False
        reports: list[Found] = []
        for _, check in self.checks:
            ok, found = check(run, fvn, here)
            if not ok and not self.allow_conform:
                non_conformant = non_conformant or any(r.severity not in _ALLOWED for r in found)
            reports.extend(found)
        return not non_conformant, reports


def _prepare_once(helper: Any) -> None:
    """Let one of pySHACL's SPARQL query helpers prepare its query text once.

    pySHACL writes a SPARQL constraint's text again for every focus node: checks it, binds
    ``$PATH`` and the current shape, adds the prefixes. None of that depends on the focus node,
    which is handed to rdflib as the binding of ``$this``; this keeps the first answer and
    changes only that binding. Calls with a value node or extra variables go to pySHACL.
    """
    original = helper.pre_bind_variables
    original_prefixes = helper.apply_prefixes
    known: dict[str, Any] = {}
    texts: dict[str, str] = {}

    def pre_bind_variables(
        thisnode: Node, valuenode: Node | None = None, extravars: Any = None
    ) -> tuple[dict[str, Any], str]:
        if valuenode is not None or extravars is not None:
            found: tuple[dict[str, Any], str] = original(thisnode, valuenode, extravars)
            return found
        if not known:
            bindings, text = original(thisnode)
            known["this"] = "this" in bindings
            known["fixed"] = {k: v for k, v in bindings.items() if k != "this"}
            known["text"] = text
        bindings = dict(known["fixed"])
        if known["this"]:
            bindings["this"] = thisnode
        return bindings, known["text"]

    def apply_prefixes(text: str) -> str:
        found = texts.get(text)
        if found is None:
            found = texts[text] = original_prefixes(text)
        return found

    helper.pre_bind_variables = pre_bind_variables
    helper.apply_prefixes = apply_prefixes


def _datatype_matcher(c: Any, rule: Node) -> Callable[[Node], bool]:
    # what the rule is, compared once (rdflib's ``==`` is a Python call)
    rule_is_literal = rule == RDFS.Literal
    rule_is_datatype = rule == RDFS.Datatype
    rule_is_string = rule == URIRef("http://www.w3.org/2001/XMLSchema#string")
    rule_is_lang_string = rule == RDF.langString
    actual = c._assert_actual_datatype

    def matches(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        datatype = v.datatype
        if datatype is not None and (datatype is rule or datatype == rule):
            if getattr(v, "ill_typed", None) is True:
                return False
            return bool(actual(v, rule))
        if rule_is_literal:
            return True
        if rule_is_datatype and datatype:
            return True
        lang = v.language
        if datatype is None and lang is None and rule_is_string:
            return bool(actual(v, rule))
        if rule_is_lang_string and lang:
            return bool(actual(v, rule))
        return False

    return matches


def _constraint_parameters() -> tuple[Any, Any]:
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    return frozenset(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP


def _from_report(node: Node, triples: list[tuple[Any, Any, Any]]) -> Found:
    """A pySHACL report (its result node and triples) as a :class:`Found` tree."""
    by_subject: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        if isinstance(o, tuple):
            _, term = o
            o = term if isinstance(term, Literal | BNode) else URIRef(str(term))
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    return _found(node, by_subject)


def _found(node: Node, by_subject: dict[Node, dict[Node, list[Node]]]) -> Found:
    props = by_subject.get(node, {})

    def one(p: Node) -> Node | None:
        values = props.get(p)
        return values[0] if values else None

    component = one(SH.sourceConstraintComponent)
    focus = one(SH.focusNode)
    shape = one(SH.sourceShape)
    severity = one(SH.resultSeverity)
    return Found(
        focus=focus if focus is not None else Literal(""),
        value=one(SH.value),
        path=one(SH.resultPath),
        component=URIRef(str(component)),
        shape=shape if shape is not None else Literal(""),
        severity=severity if severity is not None else SH.Violation,
        constraint=one(SH.sourceConstraint),
        details=tuple(_found(d, by_subject) for d in props.get(SH.detail, ())),
    )


class Engine:
    """A shapes graph compiled for this engine (built once per process and profile level)."""

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.pyshacl_graph = compiled.shapes_graph
        self.sg = compiled.shapes_graph
        self._plans: dict[int, ShapePlan] = {}
        self._paths: dict[Node, Callable[[Run, Node], Set[Node]]] = {}
        self.supported = True
        try:
            self._check_supported()
        except Unsupported as e:
            log.info("validation engine: pySHACL validates these shapes (%s)", e)
            self.supported = False
        self.top: list[tuple[ShapePlan, tuple[tuple[Node, ...], ...]]] = []
        if self.supported:
            for shape in self.sg.shapes:
                self.top.append((self.plan(shape), compiled.targets_of(shape)))

    def _check_supported(self) -> None:
        if list(self.sg.custom_constraints):
            raise Unsupported("custom constraint components")
        # Shapes that reach themselves: pySHACL's recursion rules apply.
        refs = (SH.node, SH.property, SH["or"], SH["and"], SH["not"], SH.xone)
        graph = self.sg.graph
        edges: dict[Node, set[Node]] = {}
        for p in refs:
            for s, o in graph.subject_objects(p):
                targets = set(graph.items(o)) if p in (SH["or"], SH["and"], SH.xone) else {o}
                edges.setdefault(s, set()).update(targets)
        qualified = SH.qualifiedValueShape
        for s, o in graph.subject_objects(qualified):
            edges.setdefault(s, set()).add(o)
        state: dict[Node, int] = {}
        for start in edges:
            if state.get(start):
                continue
            stack: list[tuple[Node, list[Node]]] = [(start, list(edges.get(start, ())))]
            state[start] = 1
            while stack:
                node, todo = stack[-1]
                if not todo:
                    state[node] = 2
                    stack.pop()
                    continue
                nxt = todo.pop()
                mark = state.get(nxt, 0)
                if mark == 1:
                    raise Unsupported(f"shape {nxt} reaches itself")
                if mark == 0:
                    state[nxt] = 1
                    stack.append((nxt, list(edges.get(nxt, ()))))
        # pySHACL stops a validation nested _MAX_DEPTH shapes deep; the engine reuses nested
        # outcomes, so it takes only shapes graphs that never nest that deep.
        longest: dict[Node, int] = {}

        def chain(node: Node) -> int:
            found = longest.get(node)
            if found is None:
                found = longest[node] = 1 + max((chain(n) for n in edges.get(node, ())), default=0)
            return found

        if max((chain(n) for n in edges), default=0) >= _MAX_DEPTH:
            raise Unsupported("shapes nested too deep")

    def plan(self, shape: Any) -> ShapePlan:
        found = self._plans.get(id(shape))
        if found is None:
            found = self._plans[id(shape)] = ShapePlan(self, shape)
        return found

    # --- paths ------------------------------------------------------------------------

    def path_function(self, path: Node) -> Callable[[Run, Node], Set[Node]]:
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = self._compile_path(path, False, 0)
        return found

    def _compile_path(
        self, path: Node, inverse: bool, depth: int
    ) -> Callable[[Run, Node], Set[Node]]:
        """pySHACL's ``value_nodes_from_path`` for ``path``, as a function of the focus."""
        if isinstance(path, URIRef):
            p = path
            if inverse:
                return lambda run, focus: run.index.subjects(p, focus)
            return lambda run, focus: run.index.objects(focus, p)
        graph = self.sg.graph
        if (
            isinstance(path, BNode)
            and depth == 0
            and (path, RDF.first, None) not in graph
            and (path, SH.inversePath, None) not in graph
        ):
            alternatives = list(graph.objects(path, SH.alternativePath))
            if alternatives:
                members = list(graph.items(alternatives[0]))
                parts = [self._compile_path(m, inverse, depth + 1) for m in members]
                if len(members) >= 2 and all(isinstance(m, URIRef) for m in members):

                    def alternative(run: Run, focus: Node) -> set[Node]:
                        out: set[Node] = set()
                        for part in parts:
                            out.update(part(run, focus))
                        return out

                    return alternative
        if isinstance(path, BNode) and depth == 0:
            inner = list(graph.objects(path, SH.inversePath))
            if (
                len(inner) == 1
                and isinstance(inner[0], URIRef)
                and (path, RDF.first, None) not in graph
            ):
                return self._compile_path(inner[0], not inverse, depth + 1)
        # Anything else: pySHACL's own function on the rdflib graph.
        from pyshacl.helper.expression_helper import value_nodes_from_path

        sg = self.sg

        def general(run: Run, focus: Node) -> set[Node]:
            found: set[Node] = value_nodes_from_path(sg, focus, path, run.index.graph)
            return found

        return general

    # --- a run ------------------------------------------------------------------------

    def focus_nodes(self, index: Index, targets: tuple[tuple[Node, ...], ...]) -> list[Node]:
        """pySHACL's ``Shape.focus_nodes`` (targets read once by the compiled shapes)."""
        nodes, classes, implicit, objects_of, subjects_of = targets
        found: set[Node] = set(nodes)
        for tc in {*classes, *implicit}:
            found.update(index.subjects(_RDF_TYPE, tc))
            for sub in index.with_subclasses(tc):
                if sub != tc:
                    found.update(index.subjects(_RDF_TYPE, sub))
        for p in subjects_of:
            found.update(s for s, _ in index.by_predicate.get(p, ()))
        for p in objects_of:
            found.update(o for _, o in index.by_predicate.get(p, ()))
        return list(found)

    def run(self, index: Index) -> list[Found]:
        """Every result pySHACL would report for the indexed data graph."""
        run = Run(index)
        out: list[Found] = []
        for plan, targets in self.top:
            if plan.deactivated:
                continue
            focus = self.focus_nodes(run.index, targets)
            if focus:
                out.extend(plan.validate(run, focus, [])[1])
        return out
