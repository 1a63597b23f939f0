"""Simple SPARQL-based constraints answered from the batch's index instead of rdflib's engine.

pySHACL evaluates each ``sh:sparql`` constraint once per focus node, through rdflib's SPARQL
engine: on gdcat's profile (five constraints: readiness needs a sharing barrier, WGS/WES need a
count, a contact point needs an e-mail or a page) that was a fifth of a validation worker's
time, nearly all of it rdflib's evaluation machinery around two or three index lookups.

A query whose algebra is made only of what these constraints use is answered here, from the
:class:`~gdcat.validate.engine.Index` the batch is validated on, with rdflib's semantics for
each part: a ``SELECT`` (no ``DISTINCT``, no dataset clause) projecting variables, over
``BIND`` of constants (``Extend``), ``FILTER`` (``Filter``) whose expressions are ``&&``,
``(NOT) EXISTS`` of a basic graph pattern, and ``=`` / ``!=`` between two IRIs, over a basic
graph pattern of variables and constants. The rows (one per solution, in a bag as rdflib
gives them) go back to pySHACL exactly where rdflib's would, so pySHACL makes its results from
them as before. Anything else (another operator, a comparison meeting a literal or a blank
node, an unbound variable in a comparison) is never guessed at: the query, or that one
evaluation of it, goes to rdflib. ``tests/validate/test_engine_equivalence.py`` compares the
results with pySHACL's own run on every corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

__all__ = ["Plan", "plan_of"]

Solution = dict[Variable, Node]


class _Elsewhere(Exception):
    """This evaluation meets something only rdflib's engine answers."""


class Plan:
    """A query this module answers: its projection and its compiled pattern."""

    def __init__(self, projection: list[Variable], pattern: CompValue) -> None:
        self.projection = projection
        self.pattern = pattern
        #: the pattern's evaluation, its parts read from the algebra once (reading a part of
        #: rdflib's algebra node is a Python call)
        self.solutions = _compiled(pattern)

    def run(self, index: Any, bindings: Mapping[str, Node]) -> dict[str, Any] | None:
        """rdflib's answer to the query on ``index`` with ``bindings`` (its ``initBindings``)
        as the mapping its SPARQL processor returns, or None when rdflib must answer."""
        start: Solution = {Variable(k): v for k, v in bindings.items()}
        try:
            rows = [
                {v: s[v] for v in self.projection if v in s} for s in self.solutions(start, index)
            ]
        except _Elsewhere:
            return None
        return {"type_": "SELECT", "vars_": list(self.projection), "bindings": rows}


_plans: dict[int, tuple[Query, Plan | None]] = {}


def plan_of(query: Query) -> Plan | None:
    """The plan of a prepared query, or None when rdflib must answer it (decided once)."""
    known = _plans.get(id(query))
    if known is not None and known[0] is query:
        return known[1]
    plan = _compile(query)
    if len(_plans) > 1024:
        _plans.clear()
    _plans[id(query)] = (query, plan)
    return plan


def _compile(query: Query) -> Plan | None:
    algebra = query.algebra
    if getattr(algebra, "name", None) != "SelectQuery" or _get(algebra, "datasetClause"):
        return None
    project = _get(algebra, "p")
    if not isinstance(project, CompValue) or project.name != "Project":
        return None  # DISTINCT, ORDER BY, LIMIT, aggregates...
    projection = list(_get(project, "PV") or ())
    pattern = _get(project, "p")
    if not all(isinstance(v, Variable) for v in projection) or not _supported(pattern):
        return None
    return Plan(projection, pattern)


def _supported(node: Any) -> bool:
    if not isinstance(node, CompValue):
        return False
    if node.name == "BGP":
        return all(
            not isinstance(term, BNode) and isinstance(term, Variable | URIRef | Literal)
            for triple in _get(node, "triples") or ()
            for term in triple
        )
    if node.name == "Filter":
        return not _get(node, "no_isolated_scope") and (
            _supported(_get(node, "p")) and _supported_expression(_get(node, "expr"))
        )
    if node.name == "Extend":
        return (
            isinstance(_get(node, "var"), Variable)
            and isinstance(_get(node, "expr"), URIRef)
            and _supported(_get(node, "p"))
        )
    return False


def _supported_expression(expr: Any) -> bool:
    if not isinstance(expr, CompValue):
        return False
    if expr.name == "ConditionalAndExpression":
        others = _get(expr, "other") or []
        return _supported_expression(_get(expr, "expr")) and all(
            _supported_expression(o) for o in others
        )
    if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        return _existence_supported(_get(expr, "graph"))
    if expr.name == "RelationalExpression":
        return _get(expr, "op") in ("=", "!=") and all(
            isinstance(side, Variable | URIRef)
            for side in (_get(expr, "expr"), _get(expr, "other"))
        )
    return False


def _existence_supported(node: Any) -> bool:
    """A pattern whose solutions are only counted as none or some (an ``EXISTS``): a basic
    graph pattern, or a join of such (rdflib writes ``{ $this p ?o }`` as the join of an empty
    one and it). Joined one inside the other, with the outer solution's bindings, as rdflib
    joins them: the same existence (not the same bag, which is why only here)."""
    if not isinstance(node, CompValue):
        return False
    if node.name == "Join":
        return _existence_supported(_get(node, "p1")) and _existence_supported(_get(node, "p2"))
    return node.name == "BGP" and _supported(node)


def _get(node: CompValue, key: str) -> Any:
    """A part of an algebra node as rdflib's evaluator reads it (an attribute set on the node
    first: rdflib's translation sets some that way; None when it has none)."""
    return getattr(node, key)


Solutions = Callable[[Solution, Any], Iterator[Solution]]
Test = Callable[[Solution, Any], bool]


def _compiled(node: CompValue) -> Solutions:
    """The solutions of ``node`` (a basic graph pattern, a ``FILTER`` or a ``BIND`` of a
    constant over one) extending a solution, as a function of (solution, index): each part
    read from rdflib's algebra once, evaluated with rdflib's semantics."""
    name = node.name
    if name == "BGP":
        patterns = list(_get(node, "triples") or ())
        return lambda solution, index: _bgp(patterns, solution, index)
    if name == "Filter":
        inner = _compiled(node.p)
        test = _compiled_test(node.expr)

        def filtered(solution: Solution, index: Any) -> Iterator[Solution]:
            for found in inner(solution, index):
                if test(found, index):
                    yield found

        return filtered
    if name == "Extend":
        inner = _compiled(node.p)
        var = node.var
        value = node.expr

        def extended(solution: Solution, index: Any) -> Iterator[Solution]:
            for found in inner(solution, index):
                if var in found:
                    raise _Elsewhere  # rdflib's merge of a bound variable: not guessed at
                yield {**found, var: value}

        return extended

    def elsewhere(solution: Solution, index: Any) -> Iterator[Solution]:  # never compiled
        raise _Elsewhere
        yield solution

    return elsewhere


def _compiled_test(expr: CompValue) -> Test:
    """Whether ``expr`` holds for a solution (``&&``, ``(NOT) EXISTS``, ``=`` / ``!=``
    between two IRIs), as a function of (solution, index)."""
    name = expr.name
    if name == "ConditionalAndExpression":
        first = _compiled_test(expr.expr)
        others = [_compiled_test(o) for o in _get(expr, "other") or []]
        return lambda solution, index: (
            first(solution, index) and all(o(solution, index) for o in others)
        )
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        exists = _compiled_exists(expr.graph)
        wanted = name == "Builtin_EXISTS"
        return lambda solution, index: exists(solution, index) == wanted
    # RelationalExpression: = or != between two IRIs
    left, right = expr.expr, expr.other
    equal = expr.op == "="

    def compare(solution: Solution, index: Any) -> bool:
        return bool((_value(left, solution) == _value(right, solution)) == equal)

    return compare


def _compiled_exists(node: CompValue) -> Test:
    """Whether ``node`` (a pattern :func:`_existence_supported` takes) has a solution
    extending a solution, as a function of (solution, index): joins evaluated one inside the
    other, with the outer solution's bindings, as rdflib joins them."""
    if node.name == "Join":
        first = _compiled_solutions(node.p1)
        then = _compiled_exists(node.p2)
        return lambda solution, index: any(then(found, index) for found in first(solution, index))
    solutions = _compiled_solutions(node)
    return lambda solution, index: next(iter(solutions(solution, index)), None) is not None


def _compiled_solutions(node: CompValue) -> Solutions:
    """The solutions of ``node`` (a basic graph pattern or a join of such) extending a
    solution, as a function of (solution, index)."""
    if node.name == "Join":
        first = _compiled_solutions(node.p1)
        then = _compiled_solutions(node.p2)

        def joined(solution: Solution, index: Any) -> Iterator[Solution]:
            for found in first(solution, index):
                yield from then(found, index)

        return joined
    patterns = list(_get(node, "triples") or ())
    return lambda solution, index: _bgp(patterns, solution, index)


def _bgp(patterns: list[Any], solution: Solution, index: Any) -> Iterator[Solution]:
    """The solutions of a basic graph pattern extending ``solution`` (patterns in order)."""
    if not patterns:
        yield solution
        return
    s, p, o = patterns[0]
    rest = patterns[1:]
    bound = [solution.get(t) if isinstance(t, Variable) else t for t in (s, p, o)]
    for triple in list(index.match(*bound)):
        extended = solution
        ok = True
        for term, value in zip((s, p, o), triple, strict=True):
            if isinstance(term, Variable):
                known = extended.get(term)
                if known is None:
                    if extended is solution:
                        extended = dict(solution)
                    extended[term] = value
                elif known != value:
                    ok = False
                    break
        if ok:
            yield from _bgp(rest, extended, index)


def _value(side: Any, solution: Solution) -> URIRef:
    value = solution.get(side) if isinstance(side, Variable) else side
    if not isinstance(value, URIRef):
        raise _Elsewhere  # unbound, a literal or a blank node: rdflib's rules apply
    return value
