"""The typed validation report and its renderings (text, JSON, SHACL Turtle).

A :class:`ValidationResult` names the dataset and the *field* a steward wrote
(``distribution.access_url``), not only the focus node and predicate pySHACL reports; results on
distributions, agents and contact points are traced back to their dataset. A report conforms
unless it holds a Violation: warnings and infos never block.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from gdcat.errors import SourceLocation
from gdcat.vocab import PREFIXES

SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")

#: A SHACL property path as a small tree: ``("p", iri)``, ``("inv", path)``,
#: ``("seq", (paths...))``, ``("alt", (paths...))``, ``("zeroOrMore", path)`` (also
#: ``"oneOrMore"``, ``"zeroOrOne"``).
PathSpec = tuple[Any, ...]


@dataclass(frozen=True)
class ValidationResult:
    """One problem, said in terms of the record a steward wrote."""

    #: IRI of the dataset (or series) the problem belongs to; the catalogue or other top node for
    #: nodes outside any dataset; ``""`` for problems of the document as a whole.
    dataset: str
    #: The field, as the steward YAML slot path from the dataset: ``distribution.access_url``.
    path: str
    severity: str
    message: str
    hint: str
    #: The same path as CURIEs: ``dcat:distribution/dcat:accessURL``.
    property: str = ""
    #: The node the failing shape was checked on (IRI, or ``_:id`` for a blank node).
    focus_node: str = ""
    #: The offending value, when there is one (IRI or lexical form).
    value: str | None = None
    #: The node shape the constraint comes from.
    source_shape: str = ""
    #: The constraint, e.g. ``sh:minCount``, ``sh:datatype``, ``sh:sparql``.
    constraint: str = ""
    #: The shape's own message (``sh:message``), when it has one.
    shape_message: str | None = None
    #: The SHACL result path, relative to the focus node (for the Turtle rendering).
    result_path: PathSpec | None = field(default=None, compare=False, repr=False)
    focus_term: Node | None = field(default=None, compare=False, repr=False)
    value_term: Node | None = field(default=None, compare=False, repr=False)
    constraint_component: str = field(default="", compare=False, repr=False)
    #: Where the field was written, when the document has rows (a spreadsheet's row and
    #: column); None otherwise.
    location: SourceLocation | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "property": self.property,
            "focus_node": self.focus_node,
            "value": self.value,
            "source_shape": self.source_shape,
            "constraint": self.constraint,
            "shape_message": self.shape_message,
        }
        if self.location is not None:
            out["location"] = self.location.to_json()
        return out


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one document (one or more records) against one profile."""

    conforms: bool
    results: list[ValidationResult]
    profile: str
    #: The datasets (and series) validated, whether or not they have results.
    datasets: tuple[str, ...] = ()

    @classmethod
    def from_results(
        cls, results: Iterable[ValidationResult], profile: str, datasets: Iterable[str] = ()
    ) -> ValidationReport:
        """A report whose ``conforms`` follows from ``results`` (duplicates removed, sorted)."""
        unique = sorted(
            dict.fromkeys(results),
            key=lambda r: (r.dataset, _severity_rank(r.severity), r.path, r.message, r.focus_node),
        )
        conforms = not any(r.severity == "Violation" for r in unique)
        return cls(conforms, unique, profile, tuple(datasets))

    @classmethod
    def combine(cls, reports: Iterable[ValidationReport], profile: str) -> ValidationReport:
        """One report for several (e.g. one per file or per record)."""
        results: list[ValidationResult] = []
        datasets: dict[str, None] = {}
        for report in reports:
            results.extend(report.results)
            datasets.update(dict.fromkeys(report.datasets))
        return cls.from_results(results, profile, datasets)

    # --- views -------------------------------------------------------------------------

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def located(
        self, locate: Callable[[ValidationResult], SourceLocation | None]
    ) -> ValidationReport:
        """The same report, each result with the location ``locate`` gives it."""
        results = [replace(r, location=locate(r)) for r in self.results]
        return ValidationReport(self.conforms, results, self.profile, self.datasets)

    def for_dataset(self, dataset: str) -> list[ValidationResult]:
        return [r for r in self.results if r.dataset == dataset]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            out[r.severity] = out.get(r.severity, 0) + 1
        return out

    # --- renderings --------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """``{"conforms": bool, "results": [{dataset, path, severity, message, hint, ...}]}``.

        A JSON-ready dict (``json.dumps`` it, or add keys first); :meth:`to_json_text` gives
        the text.
        """
        return {"conforms": self.conforms, "results": [r.to_dict() for r in self.results]}

    def to_json_text(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_json(), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """A report a data steward can read: grouped by dataset, one problem per entry."""
        counts = self.counts()
        verdict = "conforms" if self.conforms else "does NOT conform"
        lines = [
            f"Profile {self.profile}: {verdict} "
            f"({counts['Violation']} violation(s), {counts['Warning']} warning(s), "
            f"{counts['Info']} info(s); {len(self.datasets)} dataset(s) checked)"
        ]
        groups: dict[str, list[ValidationResult]] = {}
        for r in self.results:
            groups.setdefault(r.dataset, []).append(r)
        for dataset in self.datasets:
            groups.setdefault(dataset, [])
        for dataset in sorted(groups, key=lambda d: (d == "", d)):
            results = groups[dataset]
            title = dataset or "(document)"
            if not results:
                lines.append(f"\n{title}\n  no problems found")
                continue
            lines.append(f"\n{title}")
            for r in results:
                field_label = r.path or "(record)"
                lines.append(f"  [{r.severity}] {field_label}: {r.message}")
                lines.append(f"      fix: {r.hint}")
                if r.location is not None:
                    lines.append(f"      at: {r.location}")
                # the field path already locates results on blank nodes; IRIs are worth naming
                if r.focus_node and r.focus_node != dataset and not r.focus_node.startswith("_:"):
                    lines.append(f"      on: {r.focus_node}")
        return "\n".join(lines) + "\n"

    def to_graph(self) -> Graph:
        """The report as a ``sh:ValidationReport`` graph."""
        graph = Graph()
        for prefix in ("sh", "rdfs", "xsd", "dcat", "dct"):
            graph.bind(prefix, PREFIXES[prefix])
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SH[r.severity]))
            focus = r.focus_term if r.focus_term is not None else _term(r.focus_node)
            if focus is not None:
                graph.add((node, SH.focusNode, focus))
            if r.result_path is not None:
                graph.add((node, SH.resultPath, _path_node(graph, r.result_path)))
            value = r.value_term if r.value_term is not None else None
            if value is None and r.value is not None:
                value = Literal(r.value)
            if value is not None:
                graph.add((node, SH.value, value))
            if r.constraint_component:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.constraint_component)))
            if r.source_shape:
                graph.add((node, SH.sourceShape, _term(r.source_shape) or Literal("")))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            graph.add((node, RDFS.comment, Literal(f"fix: {r.hint}")))
            if r.dataset:
                graph.add((node, RDFS.seeAlso, URIRef(r.dataset)))
            if r.path:
                graph.add((node, RDFS.label, Literal(r.path)))
        return graph

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")


def _term(text: str) -> Node | None:
    if not text:
        return None
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text)


def _path_node(graph: Graph, spec: PathSpec) -> Node:
    kind = spec[0]
    if kind == "p":
        return URIRef(spec[1])
    node = BNode()
    if kind == "inv":
        graph.add((node, SH.inversePath, _path_node(graph, spec[1])))
    elif kind == "alt":
        items = BNode()
        Collection(graph, items, [_path_node(graph, part) for part in spec[1]])
        graph.add((node, SH.alternativePath, items))
    elif kind == "seq":
        Collection(graph, node, [_path_node(graph, part) for part in spec[1]])
    else:
        graph.add((node, SH[kind + "Path"], _path_node(graph, spec[1])))
    return node
