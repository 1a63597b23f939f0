"""Counts kept in step with every record write: the inventory and the record kinds at any size.

Counting the whole catalogue with SPARQL aggregates grows with the catalogue (the inventory's
two queries took 36–45 s at 100,000 datasets; a ``GROUP BY`` over every dataset takes seconds
at 300,000 and more at a million). So every record write and withdrawal also updates running
totals, in the store itself (so that every process over a remote store reads the same), in
the same update request as the record (one transaction: the totals never disagree with the
records):

- ``{base}graph/counts``: the totals, as triples ``<{base}graph/counts> <counter> total``;
  each counter IRI ``{base}graph/counts#{cell}-{measure}`` is described once in the same
  graph with ``count:measure`` (``<{base}graph/counts#genomes>``…), ``count:country`` (the EU
  country IRI; none for datasets of no known country) and, for the counters by sequencing type,
  ``count:type`` (the ``gdcat:sequencingType`` value);
- ``{base}graph/record-counts``: what each live record adds to each counter
  (``<record> <counter> amount``, zero amounts left out) and the datasets a record is derived
  from (``count:derivedFrom``), so that replacing or withdrawing a record subtracts exactly
  what it added. About eleven triples a record.

A record adds what :func:`gdcat.store.inventory.recount_inventory` counts for it (datasets,
individuals, genomes, exomes, samples, access rights, readiness, shareable genomes, linked
clinical data, and by sequencing type the datasets and what the type produces) and its kind
(dataset, series or service) for :func:`gdcat.store.inventory.count_record_kinds`. The one
figure a record cannot know alone is whether it is *derived* from another dataset the
catalogue holds (then its individuals, genomes, exomes and samples do not count): that is
worked out when the counts are read, over the few records that name a source.

The counts are *complete* (``<{base}graph/counts> count:complete true``) when counting
started on an empty store or with a store filled by the scale loader; a store written before
counts existed, or changed by a raw SPARQL update (:meth:`Store.update` bypasses record
writing), has no such triple, and the inventory is then counted from the records as before
(a store filled again from its sources, or by the scale loader, has complete counts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from gdcat.store.protocol import QueryableStore
from gdcat.store.records import SOURCE_COUNTRY, RecordStatus
from gdcat.vocab import ACCESS_LEVELS, ACCESS_RIGHT, COUNTRY, GDCAT, GDCATV, HEALTHDCATAP

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"
DCAT_SERIES = "http://www.w3.org/ns/dcat#DatasetSeries"
DCAT_SERVICE = "http://www.w3.org/ns/dcat#DataService"
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SPATIAL = "http://purl.org/dc/terms/spatial"
_ACCESS = "http://purl.org/dc/terms/accessRights"
_SOURCES = ("http://purl.org/dc/terms/source", "http://www.w3.org/ns/prov#wasDerivedFrom")
_INDIVIDUALS = str(HEALTHDCATAP.numberOfUniqueIndividuals)
_GENOMES = str(GDCAT.numberOfGenomes)
_EXOMES = str(GDCAT.numberOfExomes)
_SAMPLES = str(GDCAT.numberOfSamples)
_READINESS_P = str(GDCAT.oneMgReadiness)
_CLINICAL = str(GDCAT.hasLinkedClinicalData)
_SEQUENCING_TYPE_P = str(GDCAT.sequencingType)
SEQUENCING_TYPE = str(GDCATV) + "sequencing-type/"
READINESS = str(GDCATV) + "readiness/"
READINESS_LEVELS = ("READY", "CONDITIONAL", "NOT_READY")
GENOME_TYPES = ("WGS", "LONGREAD")
EXOME_TYPES = ("WES",)

_NUMERIC = {
    _XSD + name
    for name in (
        *("integer", "decimal", "float", "double", "long", "int", "short", "byte"),
        *("nonPositiveInteger", "negativeInteger", "nonNegativeInteger", "positiveInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    )
}
_BOOLEAN = _XSD + "boolean"
_TRUE = f'"true"^^<{_BOOLEAN}>'

#: Measures of a country's counters (by sequencing type: ``datasets`` and ``produced``).
AMOUNTS = ("datasets", "individuals", "genomes", "exomes", "samples")
#: The measures a derived dataset does not add (its source counts them).
DERIVED_MEASURES = ("individuals", "genomes", "exomes", "samples", "shareable-genomes", "produced")
KIND_MEASURES = ("series", "services")


@dataclass(frozen=True)
class Term:
    """An object of one of the dataset's triples: an IRI, or a literal's text and datatype."""

    value: str
    iri: bool = True
    datatype: str | None = None


@dataclass
class Contribution:
    """What one record adds to the counters: ``(country IRI or None, type IRI or None,
    measure) -> amount``, and the datasets it names as its sources."""

    amounts: dict[tuple[str | None, str | None, str], int] = field(default_factory=dict)
    derived_from: tuple[str, ...] = ()


def contribution(
    dataset_iri: str, pairs: Iterable[tuple[str, Term]], country: str | None
) -> Contribution:
    """What a record adds, from its dataset's ``(predicate, object)`` pairs and the country
    its writer gave (the catalogue record's ``gdcat:sourceCountry``), as the inventory's
    queries count it (:mod:`gdcat.store.inventory`)."""
    types: set[str] = set()
    spatial: list[str] = []
    numbers: dict[str, int] = {}
    access: list[str] = []
    readiness: list[str] = []
    clinical: list[Term] = []
    sources: set[str] = set()
    sequencing: set[str] = set()
    for predicate, term in pairs:
        if predicate == RDF_TYPE and term.iri:
            types.add(term.value)
        elif predicate == _SPATIAL and term.iri and term.value.startswith(str(COUNTRY)):
            spatial.append(term.value)
        elif predicate in (_INDIVIDUALS, _GENOMES, _EXOMES, _SAMPLES):
            number = _number(term)
            if number is not None:
                numbers[predicate] = max(numbers.get(predicate, number), number)
        elif predicate == _ACCESS:
            access.append(term.value if term.iri else "")
        elif predicate == _READINESS_P:
            readiness.append(term.value if term.iri else "")
        elif predicate == _CLINICAL:
            clinical.append(term)
        elif predicate in _SOURCES and term.iri:
            sources.add(term.value)
        elif predicate == _SEQUENCING_TYPE_P and term.iri:
            sequencing.add(term.value)
    cell = country if country is not None else (min(spatial) if spatial else None)
    out = Contribution()
    if DCAT_SERIES in types:
        out.amounts[(cell, None, "series")] = 1
        return out
    if DCAT_DATASET not in types:
        if DCAT_SERVICE in types:
            out.amounts[(cell, None, "services")] = 1
        return out
    add = out.amounts
    add[(cell, None, "datasets")] = 1
    individuals = numbers.get(_INDIVIDUALS, 0)
    genomes = numbers.get(_GENOMES, 0)
    exomes = numbers.get(_EXOMES, 0)
    samples = numbers.get(_SAMPLES, 0)
    for measure, amount in (
        ("individuals", individuals),
        ("genomes", genomes),
        ("exomes", exomes),
        ("samples", samples),
    ):
        add[(cell, None, measure)] = amount
    # SAMPLE() in the inventory's query: one value, the first by IRI here
    chosen_access = min(access) if access else None
    for level in ACCESS_LEVELS:
        if chosen_access == str(ACCESS_RIGHT) + level:
            add[(cell, None, f"access-{level}")] = 1
    chosen_readiness = min(readiness) if readiness else None
    for level in READINESS_LEVELS:
        if chosen_readiness == READINESS + level:
            add[(cell, None, f"readiness-{level}")] = 1
    if chosen_readiness == READINESS + "READY":
        add[(cell, None, "shareable-genomes")] = genomes
    if clinical and _true(min(clinical, key=lambda t: t.value)):
        add[(cell, None, "clinical")] = 1
    for type_iri in sequencing:
        code = type_iri[len(SEQUENCING_TYPE) :] if type_iri.startswith(SEQUENCING_TYPE) else ""
        produced = genomes if code in GENOME_TYPES else exomes if code in EXOME_TYPES else samples
        add[(cell, type_iri, "datasets")] = 1
        add[(cell, type_iri, "produced")] = produced
    out.derived_from = tuple(sorted(sources))
    return out


def graph_contribution(dataset_iri: str, graph: Graph, country: str | None) -> Contribution:
    """:func:`contribution` of a record held as an rdflib graph."""
    pairs: list[tuple[str, Term]] = []
    for predicate, obj in graph.predicate_objects(URIRef(dataset_iri)):
        if isinstance(obj, URIRef):
            pairs.append((str(predicate), Term(str(obj))))
        elif isinstance(obj, Literal):
            datatype = str(obj.datatype) if obj.datatype is not None else None
            pairs.append((str(predicate), Term(str(obj), iri=False, datatype=datatype)))
    return contribution(dataset_iri, pairs, country)


def write_contribution(
    dataset_iri: str, graph: Graph, ntriples: str | None, country: str | None
) -> Contribution:
    """:func:`graph_contribution` of a record being written, read from its N-Triples lines
    when it comes with them (a harvested record: no rdflib graph needed), else from its graph.
    A line of the dataset whose literal holds an escape is read from the graph: the text's
    value would not be the literal's."""
    if ntriples is None:
        return graph_contribution(dataset_iri, graph, country)
    start = f"<{dataset_iri}> "
    lines = [line[:-2] for line in ntriples.split("\n") if line.startswith(start)]
    if any("\\" in line for line in lines):
        return graph_contribution(dataset_iri, graph, country)
    return contribution(dataset_iri, ntriples_pairs(dataset_iri, lines), country)


def ntriples_pairs(subject: str, lines: Iterable[str]) -> Iterator[tuple[str, Term]]:
    """The ``(predicate, object)`` pairs of ``subject`` in N-Triples lines (``s p o``, no final
    dot), for the terms the counts read (IRIs, and literals without escapes)."""
    start = f"<{subject}> "
    for line in lines:
        if not line.startswith(start):
            continue
        _, predicate, obj = line.split(" ", 2)
        if obj.startswith("<"):
            yield predicate[1:-1], Term(obj[1:-1])
        elif obj.startswith('"'):
            end = obj.rfind('"')
            rest = obj[end + 1 :]
            datatype = rest[3:-1] if rest.startswith("^^<") else None
            yield predicate[1:-1], Term(obj[1:end], iri=False, datatype=datatype)


def integer(value: int) -> str:
    """An ``xsd:integer`` literal, written so that N-Quads and SPARQL both read it."""
    return f'"{value}"^^<{_XSD}integer>'


def _number(term: Term) -> int | None:
    if term.iri or term.datatype not in _NUMERIC:
        return None
    try:
        return int(Decimal(term.value.strip()))
    except (InvalidOperation, ValueError):
        return None


def _true(term: Term) -> bool:
    return not term.iri and term.datatype == _BOOLEAN and term.value.strip() in ("true", "1")


class CountLayout:
    """The counters' IRIs and the SPARQL that keeps them, for the store at ``base``."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.totals = f"{base}graph/counts"
        self.records = f"{base}graph/record-counts"
        # the counters and their words are fragments of the totals graph, whose IRI
        # dereferences (/graph/counts): nothing else under the base to serve
        self.vocab = f"{self.totals}#"
        self.complete = f"{self.vocab}complete"
        self.derived = f"{self.vocab}derivedFrom"
        #: the triple saying the counts are complete
        self.marker = f"<{self.totals}> <{self.complete}> {_TRUE}"
        self._no_records = (
            f"FILTER NOT EXISTS {{ GRAPH <{base}graph/provenance> {{ ?r <{PRIMARY_TOPIC}> ?d }} }}"
        )

    def counter(self, country: str | None, type_iri: str | None, measure: str) -> str:
        key = f"{country or ''}\n{type_iri or ''}".encode()
        cell = hashlib.sha256(key).hexdigest()[:16]
        return f"{self.vocab}{cell}-{measure}"

    def counter_lines(
        self, country: str | None, type_iri: str | None, measure: str, iri: str, tail: str
    ) -> str:
        """The description of a counter (its measure, country and type) as quad lines."""
        lines = [f"<{iri}> <{self.vocab}measure> <{self.vocab}{measure}>{tail}"]
        if country is not None:
            lines.append(f"<{iri}> <{self.vocab}country> <{country}>{tail}")
        if type_iri is not None:
            lines.append(f"<{iri}> <{self.vocab}type> <{type_iri}>{tail}")
        return "".join(lines)

    def record_lines(
        self,
        record: str,
        counted: Contribution,
        tail: str,
        described: set[str] | None = None,
        description_tail: str = " .\n",
    ) -> tuple[str, str, dict[str, int]]:
        """A record's contribution as lines ending with ``tail`` for ``graph/record-counts``,
        the descriptions of the counters it touches (those not in ``described``, which is
        updated) as lines ending with ``description_tail`` for ``graph/counts``, and the
        amount it adds to each counter."""
        lines: list[str] = []
        descriptions: list[str] = []
        deltas: dict[str, int] = {}
        for (country, type_iri, measure), amount in counted.amounts.items():
            iri = self.counter(country, type_iri, measure)
            if described is None or iri not in described:
                descriptions.append(
                    self.counter_lines(country, type_iri, measure, iri, description_tail)
                )
                if described is not None:
                    described.add(iri)
            if amount:
                lines.append(f"<{record}> <{iri}> {integer(amount)}{tail}")
                deltas[iri] = deltas.get(iri, 0) + amount
        for source in counted.derived_from:
            lines.append(f"<{record}> <{self.derived}> <{source}>{tail}")
        return "".join(lines), "".join(descriptions), deltas

    def subtract_operations(self, records: Sequence[str]) -> list[str]:
        """What ``records`` added, taken off the totals, and their contributions removed."""
        values = " ".join(f"<{r}>" for r in records)
        return [
            f"DELETE {{ GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?old }} }}\n"
            f"INSERT {{ GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?new }} }}\n"
            f"WHERE {{ {{ SELECT ?counter (SUM(?amount) AS ?minus) WHERE {{ "
            f"VALUES ?record {{ {values} }} GRAPH <{self.records}> {{ ?record ?counter ?amount "
            f"FILTER(isNumeric(?amount)) }} }} GROUP BY ?counter }}\n"
            f"  GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?old }} "
            f"BIND(?old - ?minus AS ?new) }}",
            f"DELETE {{ GRAPH <{self.records}> {{ ?record ?p ?o }} }}\n"
            f"WHERE {{ VALUES ?record {{ {values} }} GRAPH <{self.records}> {{ ?record ?p ?o }} }}",
        ]

    def add_operations(self, deltas: dict[str, int], lines: str, descriptions: str) -> list[str]:
        """The totals raised by ``deltas``, and the records' contributions and the counters'
        descriptions inserted."""
        ops: list[str] = []
        if lines or descriptions:
            ops.append(
                f"INSERT DATA {{ GRAPH <{self.records}> {{\n{lines}}}\n"
                f"GRAPH <{self.totals}> {{\n{descriptions}}} }}"
            )
        if deltas:
            rows = " ".join(f"(<{iri}> {integer(a)})" for iri, a in sorted(deltas.items()))
            ops.append(
                f"DELETE {{ GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?old }} }}\n"
                f"INSERT {{ GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?new }} }}\n"
                f"WHERE {{ VALUES (?counter ?plus) {{ {rows} }}\n"
                f"  OPTIONAL {{ GRAPH <{self.totals}> {{ <{self.totals}> ?counter ?old }} }}\n"
                f"  BIND(COALESCE(?old, 0) + ?plus AS ?new) }}"
            )
        return ops

    def totals_lines(self, deltas: dict[str, int], tail: str) -> str:
        """The totals of a store filled from scratch, as quad lines, and the complete mark."""
        lines = [
            f"<{self.totals}> <{iri}> {integer(amount)}{tail}" for iri, amount in deltas.items()
        ]
        lines.append(f"{self.marker}{tail}")
        return "".join(lines)

    def mark_if_empty(self) -> str:
        """The counts marked complete if the store holds no catalogue record yet (run before
        a write's catalogue records are inserted: counting then starts with the first
        record)."""
        insert = f"INSERT {{ GRAPH <{self.totals}> {{ {self.marker} }} }}"
        return f"{insert} WHERE {{ {self._no_records} }}"

    def no_records_ask(self) -> str:
        """Whether the store holds no catalogue record at all."""
        return f"ASK {{ {self._no_records} }}"

    def mark_complete(self) -> str:
        return f"INSERT DATA {{ GRAPH <{self.totals}> {{ {self.marker} }} }}"

    def unmark_complete(self) -> str:
        """The counts marked incomplete (after a raw update, which bypasses them)."""
        return f"DELETE DATA {{ GRAPH <{self.totals}> {{ {self.marker} }} }}"

    def totals_query(self) -> str:
        """``?s ?p ?o``: the whole totals graph (a few thousand triples at any size)."""
        return f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.totals}> {{ ?s ?p ?o }} }}"

    def derived_from_query(self) -> str:
        """``?record ?source``: every record naming a source (a few, whatever the size)."""
        pattern = f"?record <{self.derived}> ?source"
        return f"SELECT ?record ?source WHERE {{ GRAPH <{self.records}> {{ {pattern} }} }}"

    def live_datasets_query(self, provenance: str, datasets: Sequence[str]) -> str:
        """``?dataset``: those of ``datasets`` the catalogue holds as live datasets."""
        values = " ".join(f"<{d}>" for d in datasets)
        return (
            f"SELECT DISTINCT ?dataset WHERE {{ VALUES ?dataset {{ {values} }}\n"
            f"  GRAPH <{provenance}> {{ ?record <{PRIMARY_TOPIC}> ?dataset }}\n"
            f"  GRAPH ?record {{ ?dataset a <{DCAT_DATASET}> }} }}"
        )


def contributions_of(
    layout: CountLayout, items: Iterable[tuple[str, Contribution]], tail: str
) -> tuple[str, str, dict[str, int]]:
    """The lines, counter descriptions and summed deltas of several records' contributions."""
    lines: list[str] = []
    descriptions: list[str] = []
    deltas: dict[str, int] = {}
    described: set[str] = set()
    for record, counted in items:
        text, described_now, added = layout.record_lines(record, counted, tail, described)
        lines.append(text)
        descriptions.append(described_now)
        for iri, amount in added.items():
            deltas[iri] = deltas.get(iri, 0) + amount
    return "".join(lines), "".join(descriptions), deltas


@dataclass
class Recounted:
    """One batch of live records counted afresh (:func:`recount_batches`)."""

    records: int
    #: their contributions, as triple lines for ``graph/record-counts``
    lines: str
    #: descriptions of the counters first touched by this batch, as triple lines
    descriptions: str
    deltas: dict[str, int]


def recount_batches(
    store: QueryableStore, layout: CountLayout, batch: int = 2000
) -> Iterator[Recounted]:
    """Every live record's share of the counts, counted again from its graph (what a write
    would have added), batch by batch: what rebuilding the counts writes after a raw update
    made them incomplete, or for a store written before counts existed."""
    prov = store.provenance_graph
    live = store.query(
        f"SELECT ?record ?dataset ?country WHERE {{ GRAPH <{prov}> {{ "
        f"?record <{PRIMARY_TOPIC}> ?dataset "
        f"OPTIONAL {{ ?record <{SOURCE_COUNTRY}> ?country }} "
        f"FILTER NOT EXISTS {{ ?record <http://www.w3.org/ns/adms#status> "
        f"<{RecordStatus.WITHDRAWN.iri}> }} }} }} ORDER BY ?record",
        union_default_graph=False,
    ).rows
    described: set[str] = set()
    seen: set[str] = set()
    records: list[tuple[str, str, str | None]] = []
    for record_term, dataset_term, country_term in live:
        if not isinstance(record_term, ox.NamedNode) or not isinstance(dataset_term, ox.NamedNode):
            continue
        if record_term.value in seen:
            continue
        seen.add(record_term.value)
        country_iri = country_term.value if isinstance(country_term, ox.NamedNode) else None
        records.append((record_term.value, dataset_term.value, country_iri))
    for start in range(0, len(records), batch):
        part = records[start : start + batch]
        values = " ".join(f"(<{r}> <{d}>)" for r, d, _ in part)
        rows = store.query(
            f"SELECT ?record ?p ?o WHERE {{ VALUES (?record ?dataset) {{ {values} }} "
            "GRAPH ?record { ?dataset ?p ?o } }",
            union_default_graph=False,
        ).rows
        pairs: dict[str, list[tuple[str, Term]]] = {}
        for graph_term, p, o in rows:
            if not isinstance(graph_term, ox.NamedNode) or not isinstance(p, ox.NamedNode):
                continue
            if isinstance(o, ox.NamedNode):
                term = Term(o.value)
            elif isinstance(o, ox.Literal):
                term = Term(o.value, iri=False, datatype=o.datatype.value)
            else:
                continue
            pairs.setdefault(graph_term.value, []).append((p.value, term))
        lines: list[str] = []
        descriptions: list[str] = []
        deltas: dict[str, int] = {}
        for record, dataset, country in part:
            counted = contribution(dataset, pairs.get(record, ()), country)
            text, described_now, added = layout.record_lines(record, counted, " .\n", described)
            lines.append(text)
            descriptions.append(described_now)
            for iri, amount in added.items():
                deltas[iri] = deltas.get(iri, 0) + amount
        yield Recounted(len(part), "".join(lines), "".join(descriptions), deltas)


def write_recounted(
    store: QueryableStore, layout: CountLayout, insert: Callable[[str], None]
) -> tuple[int, str]:
    """Every live record's share of the counts counted again (:func:`recount_batches`),
    each batch's contributions handed to ``insert`` as an ``INSERT DATA`` update; returns how
    many records were counted and the ``INSERT DATA`` of the totals, marked complete, for the
    caller to apply last (once it knows nothing else wrote meanwhile)."""
    counted = 0
    deltas: dict[str, int] = {}
    descriptions: list[str] = []
    for part in recount_batches(store, layout):
        if part.lines:
            insert(f"INSERT DATA {{ GRAPH <{layout.records}> {{\n{part.lines}}} }}")
        descriptions.append(part.descriptions)
        for iri, amount in part.deltas.items():
            deltas[iri] = deltas.get(iri, 0) + amount
        counted += part.records
    totals = "".join(descriptions) + layout.totals_lines(deltas, " .\n")
    return counted, f"INSERT DATA {{ GRAPH <{layout.totals}> {{\n{totals}}} }}"
