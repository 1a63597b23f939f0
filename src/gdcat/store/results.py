"""The answer to a SPARQL query, and its renderings for people and programs.

A :class:`QueryResult` is read completely from the store (up to an optional row cap) and holds
pyoxigraph terms, which a remote store can produce too (``pyoxigraph.parse_query_results``).

| format | ``SELECT`` | ``ASK`` | ``CONSTRUCT`` / ``DESCRIBE`` |
|---|---|---|---|
| ``table`` | aligned columns, short IRIs | ``true`` / ``false`` | subject, predicate, object |
| ``json`` | SPARQL 1.1 Query Results JSON | SPARQL 1.1 Query Results JSON | JSON-LD |
| ``csv`` / ``tsv`` | SPARQL 1.1 Query Results CSV / TSV | ``true`` / ``false`` | refused |
| ``turtle`` / ``ntriples`` / ``jsonld`` | refused | refused | that RDF syntax |
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import pyoxigraph as ox

from gdcat.errors import UnsupportedFormatError
from gdcat.vocab import PREFIXES

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryKind = Literal["select", "ask", "graph"]
RESULT_FORMATS = ("table", "json", "csv", "tsv", "turtle", "ntriples", "jsonld")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class QueryResult:
    """Solutions (``select``), a boolean (``ask``) or triples (``graph``)."""

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    #: True when the store had more rows or triples than the cap the caller set
    truncated: bool = False

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    def column(self, variable: str) -> list[Term | None]:
        """The values one variable takes, row by row."""
        index = self.variables.index(variable)
        return [row[index] for row in self.rows]


def serialize_result(result: QueryResult, fmt: str) -> str:
    """``result`` rendered as ``fmt`` (see the table in this module's docstring)."""
    if fmt not in RESULT_FORMATS:
        raise UnsupportedFormatError(
            f"unknown result format {fmt!r} (known: {', '.join(RESULT_FORMATS)})"
        )
    if result.kind == "graph":
        if fmt == "table":
            rows = [(t.subject, t.predicate, t.object) for t in result.triples]
            return _table(("subject", "predicate", "object"), rows)
        if fmt not in _GRAPH_FORMATS:
            raise UnsupportedFormatError(f"a graph result cannot be written as {fmt}")
        prefixes = _used_prefixes(result.triples) if fmt == "turtle" else None
        data = ox.serialize(list(result.triples), format=_GRAPH_FORMATS[fmt], prefixes=prefixes)
        return (data or b"").decode("utf-8")
    if fmt in ("turtle", "ntriples", "jsonld"):
        raise UnsupportedFormatError(
            f"{fmt} is for CONSTRUCT or DESCRIBE results; use table, json, csv or tsv"
        )
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        return "true\n" if result.boolean else "false\n"
    if fmt == "json":
        return _results_json(result) + "\n"
    if fmt == "csv":
        return _results_csv(result)
    if fmt == "tsv":
        return _results_tsv(result)
    return _table(result.variables, result.rows)


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The gdcat prefixes that shorten some IRI of ``triples`` to a plain ``prefix:name``."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris.update(t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal))
    used: dict[str, str] = {}
    for iri in iris:
        prefix = _prefix_of(iri)
        if prefix is not None:
            used[prefix] = PREFIXES[prefix]
    return dict(sorted(used.items()))


def _prefix_of(iri: str) -> str | None:
    best: str | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return None
    local = iri[len(PREFIXES[best]) :]
    return best if local and _LOCAL_NAME.match(local) else None


def _results_json(result: QueryResult) -> str:
    bindings = []
    for row in result.rows:
        binding = {}
        for name, value in zip(result.variables, row, strict=True):
            if value is not None:
                binding[name] = _json_term(value)
        bindings.append(binding)
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False)


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _results_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return out.getvalue()


def _csv_value(term: Term) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _results_tsv(result: QueryResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines) + "\n"


def _short(term: Term | None) -> str:
    """A compact, readable rendering of a term for tables."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        prefix = _prefix_of(term.value)
        if prefix is not None:
            return f"{prefix}:{term.value[len(PREFIXES[prefix]) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", " ")
        return f"{text}@{term.language}" if term.language else text
    return str(term)


def _table(header: tuple[str, ...], rows: Sequence[tuple[Term | None, ...]]) -> str:
    cells = [[_short(v) for v in row] for row in rows]
    widths = [len(h) for h in header]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
