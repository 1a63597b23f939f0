"""The SPARQL page for people: a query editor, example queries and the answer as a table.

``/sparql`` stays the SPARQL 1.1 Protocol endpoint (:mod:`gdcat.api.sparql`); it asks this
module for its HTML: a browser's bare ``GET /sparql`` gets :func:`sparql_page` with no
answer, and ``GET /sparql?query=…&format=html`` (what the page's form and the examples'
links send) gets the page with the answer as a table, or with what went wrong in plain words.
Protocol clients never see the page: a query without ``format=html`` is answered as before.

The editor is YASQE (``static/yasqe.min.js``, vendored from npm, see ``static/VENDORED.md``),
started by ``static/sparql-page.js`` over the form's text area; without JavaScript the text
area is the editor and everything still works. The table is drawn here, from the SPARQL JSON
(``SELECT``, ``ASK``) or N-Triples (``CONSTRUCT``, ``DESCRIBE``) answer of the same engine
the protocol uses: no second query path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import FastAPI
from starlette.requests import Request

from gdcat.ui.i18n import N_
from gdcat.ui.pages import curie, offer_page, reader_of, render, vocabulary_label

#: Rows the page shows of an answer (the downloads carry all of them).
SHOWN_ROWS = 500
#: Characters a cell shows before it is cut (the whole value is in its ``title``).
CELL_CHARACTERS = 160
#: Characters of the endpoint's message shown at first (a parser's list of the tokens it
#: expected can run to thousands; the rest is one click away).
DETAIL_CHARACTERS = 200

#: The answer formats the page offers for download: (``format=`` value, label).
SELECT_DOWNLOADS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
ASK_DOWNLOADS = (("json", "JSON"), ("xml", "XML"))
GRAPH_DOWNLOADS = (
    ("turtle", "Turtle"),
    ("ntriples", "N-Triples"),
    ("jsonld", "JSON-LD"),
    ("rdfxml", "RDF/XML"),
)

_PREFIXES = """\
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX gdcat: <https://w3id.org/gdcat/ns#>
"""


@dataclass(frozen=True)
class Example:
    """An example query: its key (the element's id), title and what it answers."""

    key: str
    title: str
    description: str
    query: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "genomes-per-country",
        N_("Genomes per country and sequencing type"),
        N_(
            "Datasets, genomes, exomes and individuals of each country (the national node's) "
            "by sequencing type, over the datasets the catalogue holds now."
        ),
        _PREFIXES
        + """\
PREFIX healthdcatap: <http://healthdataportal.eu/ns/health#>
SELECT ?country ?sequencingType (COUNT(DISTINCT ?dataset) AS ?datasets)
       (SUM(?genomes) AS ?totalGenomes) (SUM(?exomes) AS ?totalExomes)
       (SUM(?individuals) AS ?totalIndividuals)
WHERE {
  ?record a dcat:CatalogRecord ; foaf:primaryTopic ?dataset ; gdcat:sourceCountry ?country .
  GRAPH ?record {
    ?dataset a dcat:Dataset ; gdcat:sequencingType ?sequencingType .
    OPTIONAL { ?dataset gdcat:numberOfGenomes ?g }
    OPTIONAL { ?dataset gdcat:numberOfExomes ?e }
    OPTIONAL { ?dataset healthdcatap:numberOfUniqueIndividuals ?i }
  }
  BIND(COALESCE(?g, 0) AS ?genomes)
  BIND(COALESCE(?e, 0) AS ?exomes)
  BIND(COALESCE(?i, 0) AS ?individuals)
}
GROUP BY ?country ?sequencingType
ORDER BY ?country ?sequencingType""",
    ),
    Example(
        "general-research-use",
        N_("Datasets general research may use"),
        N_(
            "Datasets whose data-use permission (DUO) is “no restriction” or “general "
            "research use”, with the conditions that come with them."
        ),
        _PREFIXES
        + """\
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?dataset (SAMPLE(?t) AS ?title) ?permission ?condition
WHERE {
  VALUES ?permission { obo:DUO_0000004 obo:DUO_0000042 }
  ?record a dcat:CatalogRecord ; foaf:primaryTopic ?dataset .
  GRAPH ?record {
    ?dataset gdcat:dataUsePermission ?permission ; dct:title ?t .
    OPTIONAL { ?dataset gdcat:dataUseModifier ?condition }
  }
}
GROUP BY ?dataset ?permission ?condition
ORDER BY ?title ?condition""",
    ),
    Example(
        "last-harvest",
        N_("Records harvested in the last run"),
        N_(
            "The records the latest harvest run added or updated, node by node, with their "
            "status and when they changed."
        ),
        _PREFIXES
        + """\
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?node ?dataset ?status ?modified ?run
WHERE {
  { SELECT ?run WHERE { ?run a gdcat:HarvestRun ; prov:startedAtTime ?started }
    ORDER BY DESC(?started) LIMIT 1 }
  ?record a dcat:CatalogRecord ; prov:wasGeneratedBy ?run ; foaf:primaryTopic ?dataset ;
          adms:status ?status ; gdcat:sourceNode ?node ; dct:modified ?modified .
}
ORDER BY ?node ?dataset""",
    ),
    Example(
        "keyword",
        N_("Datasets by keyword"),
        N_("Datasets with a keyword containing “cancer” (change the word in the query)."),
        _PREFIXES
        + """\
SELECT ?dataset (SAMPLE(?t) AS ?title)
       (GROUP_CONCAT(DISTINCT ?keyword; separator=", ") AS ?keywords)
WHERE {
  ?dataset a dcat:Dataset ; dct:title ?t ; dcat:keyword ?keyword .
  FILTER(CONTAINS(LCASE(STR(?keyword)), "cancer"))
}
GROUP BY ?dataset
ORDER BY ?title""",
    ),
    Example(
        "publishers",
        N_("Datasets per publisher"),
        N_("How many datasets each publisher has in the catalogue, most first."),
        _PREFIXES
        + """\
SELECT ?publisher (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?dataset) AS ?datasets)
WHERE {
  ?dataset a dcat:Dataset ; dct:publisher ?publisher .
  OPTIONAL { ?publisher foaf:name ?n }
}
GROUP BY ?publisher
ORDER BY DESC(?datasets) ?name""",
    ),
)
EXAMPLES_BY_KEY = {example.key: example for example in EXAMPLES}


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits the page explains."""

    timeout: float
    max_rows: int


@dataclass(frozen=True)
class Answer:
    """An answer of the engine: ``form`` is ``select``, ``ask`` or ``graph``; ``body`` is
    SPARQL JSON for the first two, N-Triples for graphs."""

    form: str
    body: bytes


@dataclass(frozen=True)
class Failure:
    """Why a query has no answer, as the endpoint's problem says it."""

    status: int
    kind: str | None
    title: str
    detail: str | None
    extra: dict[str, Any] = field(default_factory=dict)


#: What each kind of problem means, in plain words (the problem's detail follows).
FAILURE_WORDS: dict[str, str] = {
    "bad-query": N_("The query has a mistake: it could not be read or evaluated."),
    "query-too-complex": N_(
        "The query is too long or nests too deeply to be run here. Shorten it, or put long "
        "lists of terms in a VALUES block."
    ),
    "bad-request": N_("The request is not one the endpoint can answer."),
    "service-not-allowed": N_(
        "The query calls a SPARQL endpoint (SERVICE) that this catalogue may not call."
    ),
    "time-limit": N_(
        "The query ran longer than this endpoint allows and was stopped. Make it more "
        "specific, or ask for a page of results at a time (ORDER BY … LIMIT … OFFSET …)."
    ),
    "cpu-limit": N_(
        "The query used more computing time than this endpoint allows and was stopped. Make "
        "it more specific, or ask for a page of results at a time."
    ),
    "memory-limit": N_(
        "The query needed more memory than this endpoint allows and was stopped. Join fewer "
        "unrelated patterns, or ask for a page of results at a time."
    ),
    "row-limit": N_(
        "The answer has more rows than this endpoint returns at once. Ask for a page at a "
        "time with ORDER BY … LIMIT … OFFSET …, or count the rows with COUNT(*)."
    ),
    "client-budget": N_(
        "You have too many queries running at once. Wait for them to finish, then run this "
        "one again."
    ),
    "busy": N_("The endpoint is busy with other queries. Try again in a few seconds."),
    "worker-lost": N_("The process answering the query stopped. Try again in a few seconds."),
    "engine-failure": N_(
        "The query engine failed on this query (a defect of the engine, not of your query). "
        "Writing the query differently may avoid it."
    ),
    "store": N_("The catalogue's store is not available. Try again in a few seconds."),
}
GENERIC_FAILURE = N_("The query could not be answered.")


def install(app: FastAPI, ctx: object) -> None:
    """Link the SPARQL page from the layout's navigation (the page itself is served at
    ``/sparql`` by the protocol endpoint, which asks :func:`sparql_page` for it)."""
    offer_page(app, "sparql")


# -- cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value of an answer as the table shows it."""

    text: str
    #: the whole value (an IRI behind its label, or a long literal), shown on hover
    full: str | None = None
    href: str | None = None
    lang: str | None = None
    numeric: bool = False


_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + name
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "nonNegativeInteger",
        "positiveInteger",
    )
}


def _cut(text: str) -> tuple[str, str | None]:
    if len(text) <= CELL_CHARACTERS:
        return text, None
    return text[: CELL_CHARACTERS - 1].rstrip() + "…", text


def iri_cell(iri: str) -> Cell:
    """An IRI as its label from the vocabularies gdcat ships, else as a compact IRI."""
    label = vocabulary_label(iri)
    text, _ = _cut(label or curie(iri))
    href = iri if iri.startswith(("http://", "https://")) else None
    return Cell(text, full=iri, href=href)


def literal_cell(value: str, *, lang: str | None = None, datatype: str | None = None) -> Cell:
    text, full = _cut(value)
    return Cell(text, full=full, lang=lang, numeric=datatype in _NUMERIC)


def json_cell(term: dict[str, Any] | None) -> Cell | None:
    """A binding of SPARQL JSON results as a cell (``None``: unbound)."""
    if term is None:
        return None
    kind = term.get("type")
    value = str(term.get("value", ""))
    if kind == "uri":
        return iri_cell(value)
    if kind == "bnode":
        return Cell(f"_:{value}")
    return literal_cell(value, lang=term.get("xml:lang"), datatype=term.get("datatype"))


def term_cell(term: Any) -> Cell:
    """A pyoxigraph term (of a graph answer) as a cell."""
    if isinstance(term, ox.NamedNode):
        return iri_cell(term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    assert isinstance(term, ox.Literal)
    return literal_cell(term.value, lang=term.language, datatype=term.datatype.value)


@dataclass
class Table:
    """An answer as the page shows it."""

    form: str
    columns: list[str]
    rows: list[list[Cell | None]]
    total: int
    boolean: bool | None = None


def answer_table(answer: Answer, shown: int = SHOWN_ROWS) -> Table:
    """The first ``shown`` rows of ``answer`` as cells, and how many rows it has."""
    if answer.form == "graph":
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        rows: list[list[Cell | None]] = [
            [term_cell(t.subject), term_cell(t.predicate), term_cell(t.object)]
            for t in triples[:shown]
        ]
        return Table("graph", ["subject", "predicate", "object"], rows, len(triples))
    doc = json.loads(answer.body)
    if "boolean" in doc:
        return Table("ask", [], [], 1, boolean=bool(doc["boolean"]))
    columns = [str(v) for v in doc.get("head", {}).get("vars", [])]
    bindings = doc.get("results", {}).get("bindings", [])
    rows = [[json_cell(b.get(c)) for c in columns] for b in bindings[:shown]]
    return Table("select", columns, rows, len(bindings))


# -- the page -----------------------------------------------------------------------------------


def _shortened(detail: str) -> str:
    if len(detail) <= DETAIL_CHARACTERS:
        return detail
    return detail[:DETAIL_CHARACTERS].rsplit(" ", 1)[0] + " …"


def _query_url(path: str, query: str, **params: str) -> str:
    return f"{path}?{urlencode({'query': query, **params})}"


def sparql_page(
    request: Request,
    *,
    endpoint: str,
    limits: Limits,
    query: str | None = None,
    answer: Answer | None = None,
    failure: Failure | None = None,
) -> str:
    """The SPARQL page: the editor holding ``query`` (else the first example), the examples,
    and ``answer`` as a table or ``failure`` in plain words."""
    reader = reader_of(request)
    here = f"{request.base_url}sparql"  # the form and links stay on this origin
    keep = {"lang": reader.lang} if reader.chosen else {}
    table = answer_table(answer) if answer is not None else None
    downloads: list[tuple[str, str]] = []
    if table is not None and query is not None:
        offered = {
            "select": SELECT_DOWNLOADS,
            "ask": ASK_DOWNLOADS,
            "graph": GRAPH_DOWNLOADS,
        }[table.form]
        downloads = [(label, _query_url(here, query, format=name)) for name, label in offered]
    failure_view = None
    if failure is not None:
        failure_view = {
            "status": failure.status,
            "words": reader.gettext(FAILURE_WORDS.get(failure.kind or "", GENERIC_FAILURE)),
            "title": failure.title,
            "detail": _shortened(failure.detail or ""),
            "whole": failure.detail if len(failure.detail or "") > DETAIL_CHARACTERS else None,
            "kind": failure.kind,
        }
    return render(
        request,
        "sparql.html",
        section="sparql",
        title=reader.gettext(N_("SPARQL query")),
        endpoint=endpoint,
        here=here,
        query=query if query is not None else EXAMPLES[0].query,
        ran=query is not None,
        examples=[
            {
                "key": e.key,
                "title": e.title,
                "description": e.description,
                "query": e.query,
                "url": _query_url(here, e.query, format="html", **keep),
            }
            for e in EXAMPLES
        ],
        lang_value=reader.lang if reader.chosen else None,
        timeout=f"{limits.timeout:g}",
        max_rows=limits.max_rows,
        shown_rows=SHOWN_ROWS,
        table=table,
        downloads=downloads,
        failure=failure_view,
        description_url=f"{here}?format=turtle",
    )


__all__ = [
    "EXAMPLES",
    "Answer",
    "Failure",
    "Limits",
    "answer_table",
    "install",
    "sparql_page",
]
