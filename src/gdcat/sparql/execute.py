"""One query run against a pyoxigraph store, its answer serialised natively, within a row cap.

This module runs inside the query worker processes: it imports pyoxigraph and the standard
library only (no rdflib, no gdcat model), and what it needs from the rest of gdcat (the table
of datatypes to restore, the prefixes) arrives as plain data in a :class:`Setup`.

How the row cap works with pyoxigraph's serialisers: solutions are first written as SPARQL TSV
into a sink that counts lines (one line per solution, line breaks inside literals are escaped)
and stops the serialiser once the cap is passed; a TSV answer is sent as it is, any other
format is parsed back from the TSV and written natively (lossless, terms and blank node labels
kept). Graph answers are read triple by triple anyway, to restore datatypes (see
:mod:`gdcat.store.datatypes`), and serialised natively.

XML answers (SPARQL XML results, RDF/XML) cannot carry every character a literal may hold:
XML 1.0 allows no U+0000, no other C0 control but tab, line feed and carriage return, and no
U+FFFE or U+FFFF, not even as character references. pyoxigraph writes them as they are, which
makes the document not well-formed; each is written as U+FFFD (the replacement character)
instead (:func:`xml_safe`). JSON, TSV, Turtle and N-Triples answers carry them exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any, Literal, TypeAlias, cast

import pyoxigraph as ox

#: Result formats of ``SELECT`` and ``ASK`` answers, by short name.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: RDF formats of ``CONSTRUCT`` and ``DESCRIBE`` answers, by short name.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

Form = Literal["select", "ask", "graph"]
Reason = Literal["syntax", "evaluation", "rows", "not-acceptable", "store", "memory", "engine"]

#: What XML 1.0 cannot carry, as it appears in UTF-8: C0 controls but tab, line feed and
#: carriage return (single bytes, never part of a longer sequence), U+FFFE and U+FFFF.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_REPLACEMENT = "\ufffd".encode()


def xml_safe(document: bytes) -> bytes:
    """``document`` (XML in UTF-8) with every character XML 1.0 cannot carry replaced by
    U+FFFD."""
    return _NOT_XML.sub(_REPLACEMENT, document)


@dataclass(frozen=True)
class Setup:
    """What every query run needs besides the query (sent once to each worker)."""

    #: Predicate IRI -> the integer-derived datatype its literals were published with.
    restore: dict[str, str] = field(default_factory=dict)
    #: Prefix -> namespace, offered to Turtle answers (only those used are declared).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: Most address space of a worker process (bytes, ``RLIMIT_AS``); None: no limit.
    memory_limit: int | None = None
    #: Most CPU seconds one query may use in a worker (``RLIMIT_CPU``); None: no limit.
    cpu_limit: int | None = None


@dataclass(frozen=True)
class QueryJob:
    """A query with its dataset, the formats the client accepts, and its row cap."""

    sparql: str
    #: Relative IRIs in the query resolve against this (the endpoint's IRI).
    base_iri: str | None
    #: ``default-graph-uri`` values; None when the protocol request names none.
    default_graphs: tuple[str, ...] | None = None
    #: ``named-graph-uri`` values; None when the protocol request names none.
    named_graphs: tuple[str, ...] | None = None
    #: Without a dataset from the protocol: is the default graph the union of all graphs?
    union_default_graph: bool = True
    #: Format for ``SELECT``/``ASK`` answers (a :data:`RESULT_FORMATS` key); None: none fits.
    results_format: str | None = "json"
    #: Format for ``CONSTRUCT``/``DESCRIBE`` answers (a :data:`GRAPH_FORMATS` key); None: none.
    graph_format: str | None = "turtle"
    #: Most solutions (or triples) an answer may hold.
    max_rows: int = 10_000


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer."""

    form: Form
    format: str
    body: bytes
    rows: int


@dataclass(frozen=True)
class QueryFailure:
    """Why a query has no answer; ``form`` is known when the query was parsed."""

    reason: Reason
    message: str
    form: Form | None = None


Outcome: TypeAlias = QueryAnswer | QueryFailure


class _TooManyRows(Exception):
    pass


class _LineSink:
    """A binary writer for pyoxigraph that keeps what it is given and stops it (by raising)
    once more than ``max_lines`` lines were written."""

    def __init__(self, max_lines: int) -> None:
        self._parts: list[bytes] = []
        self._max = max_lines
        self.lines = 0

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self._max:
            raise _TooManyRows
        self._parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self._parts)


class Runner:
    """Runs :class:`QueryJob`\\ s with a :class:`Setup` (datatype table built once)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self._restore = {p: ox.NamedNode(d) for p, d in setup.restore.items()}
        self._namespaces = {ns: prefix for prefix, ns in setup.prefixes.items()}

    def run(self, store: ox.Store, job: QueryJob) -> Outcome:
        """The answer to ``job`` from ``store``, or why there is none."""
        form: Form | None = None
        try:
            answer = store.query(job.sparql, base_iri=job.base_iri, **_dataset(job))
            if isinstance(answer, ox.QueryBoolean):
                form = "ask"
                return self._boolean(answer, job)
            if isinstance(answer, ox.QueryTriples):
                form = "graph"
                return self._graph(answer, job)
            form = "select"
            return self._solutions(answer, job)
        except _TooManyRows:
            noun = "triples" if form == "graph" else "rows"
            return QueryFailure("rows", f"the answer has more than {job.max_rows} {noun}", form)
        except SyntaxError as e:
            return QueryFailure("syntax", f"SPARQL syntax error: {e}")
        except OSError as e:
            return QueryFailure("store", f"the store failed while answering: {e}", form)
        except (ValueError, RuntimeError, TypeError) as e:
            return QueryFailure("evaluation", f"the query could not be evaluated: {e}", form)
        except MemoryError:
            return QueryFailure("memory", "the answer did not fit in memory", form)
        except BaseException as e:
            # A Rust panic inside pyoxigraph reaches Python as pyo3's PanicException, which
            # derives from BaseException: a defect of the engine, not of this process.
            if type(e).__name__ != "PanicException":
                raise
            return QueryFailure("engine", f"the query engine failed on this query: {e}", form)

    def serialize(
        self, answer: ox.QueryBoolean | ox.QuerySolutions | list[ox.Triple], job: QueryJob
    ) -> Outcome:
        """An answer computed elsewhere (by a remote store) written as ``job`` asks, within
        its row limit."""
        form: Form = (
            "ask"
            if isinstance(answer, ox.QueryBoolean)
            else "graph"
            if isinstance(answer, list)
            else "select"
        )
        try:
            if isinstance(answer, ox.QueryBoolean):
                return self._boolean(answer, job)
            if isinstance(answer, list):
                return self._graph(answer, job)
            return self._solutions(answer, job)
        except _TooManyRows:
            noun = "triples" if form == "graph" else "rows"
            return QueryFailure("rows", f"the answer has more than {job.max_rows} {noun}", form)

    def _boolean(self, answer: ox.QueryBoolean, job: QueryJob) -> Outcome:
        if job.results_format is None:
            return QueryFailure("not-acceptable", "no acceptable format", "ask")
        body = answer.serialize(format=RESULT_FORMATS[job.results_format])
        return QueryAnswer("ask", job.results_format, body or b"", 1)

    def _solutions(self, answer: ox.QuerySolutions, job: QueryJob) -> Outcome:
        if job.results_format is None:
            return QueryFailure("not-acceptable", "no acceptable format", "select")
        sink = _LineSink(job.max_rows + 1)  # the header line, then one line per solution
        answer.serialize(cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
        tsv = sink.value()
        rows = sink.lines - 1
        if job.results_format == "tsv":
            return QueryAnswer("select", "tsv", tsv, rows)
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        body = parsed.serialize(format=RESULT_FORMATS[job.results_format]) or b""
        if job.results_format == "xml":
            body = xml_safe(body)
        return QueryAnswer("select", job.results_format, body, rows)

    def _graph(self, answer: ox.QueryTriples | list[ox.Triple], job: QueryJob) -> Outcome:
        if job.graph_format is None:
            return QueryFailure("not-acceptable", "no acceptable format", "graph")
        # DESCRIBE over the union repeats a triple found in several graphs: keep one.
        triples: dict[ox.Triple, None] = {}
        for triple in answer:
            triples[self._restored(triple)] = None
            if len(triples) > job.max_rows:
                raise _TooManyRows
        fmt = GRAPH_FORMATS[job.graph_format]
        prefixes = self._used_prefixes(triples) if fmt == ox.RdfFormat.TURTLE else None
        body = ox.serialize(list(triples), format=fmt, prefixes=prefixes) or b""
        if fmt == ox.RdfFormat.RDF_XML:
            body = xml_safe(body)
        return QueryAnswer("graph", job.graph_format, body, len(triples))

    def _restored(self, triple: ox.Triple) -> ox.Triple:
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.datatype.value == _XSD_INTEGER:
            expected = self._restore.get(triple.predicate.value)
            if expected is not None:
                literal = ox.Literal(obj.value, datatype=expected)
                return ox.Triple(triple.subject, triple.predicate, literal)
        return triple

    def _used_prefixes(self, triples: dict[ox.Triple, None]) -> dict[str, str]:
        namespaces: set[str] = set()
        for triple in triples:
            for term in (triple.subject, triple.predicate, triple.object):
                if isinstance(term, ox.NamedNode):
                    namespaces.add(_namespace(term.value))
                elif isinstance(term, ox.Literal):
                    namespaces.add(_namespace(term.datatype.value))
        used = {self._namespaces[ns]: ns for ns in namespaces if ns in self._namespaces}
        return dict(sorted(used.items()))


def _namespace(iri: str) -> str:
    return iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]


def _dataset(job: QueryJob) -> dict[str, Any]:
    """pyoxigraph's dataset arguments for the protocol's ``default-graph-uri`` and
    ``named-graph-uri``: when either is given, the other part of the dataset is empty."""
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": job.union_default_graph}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
    }
