"""Reading records out of the store for the index, many at a time.

Five SPARQL queries per batch of records (a ``VALUES`` list of catalogue record IRIs), never
one call per record: its catalogue record, the dataset's texts and its other statements (the
predicates below), its publishers' names, and which of its sources are live datasets of the
catalogue (a dataset derived from one, such as allele frequencies computed from a cohort, adds
nothing to cohort totals, as in the inventory). Python only sorts the rows into
:class:`RecordFacts`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF

from gdcat.store import Store, record_iri
from gdcat.store.records import (
    ADMS_STATUS,
    CONTENT_HASH,
    SOURCE_COUNTRY,
    SOURCE_NODE,
    VALIDATION_OUTCOME,
    VALIDATION_PROFILE,
    RecordStatus,
)
from gdcat.vocab import COUNTRY, GDCAT, HEALTHDCATAP

#: Records read per batch of queries (bounded memory; a VALUES list Oxigraph joins quickly).
BATCH = 1000
#: Threads reading the next batches of a whole rebuild while the index takes this one.
READERS = 2

_DATASET = str(DCAT.Dataset)
_SERIES = str(DCAT) + "DatasetSeries"
_PRIMARY_TOPIC = str(FOAF.primaryTopic)

#: Dataset predicate -> the RecordFacts list it fills.
_PREDICATES: dict[str, str] = {
    str(RDF.type): "types",
    str(DCTERMS.title): "titles",
    str(DCTERMS.description): "descriptions",
    str(DCAT.keyword): "keywords",
    str(DCTERMS.identifier): "identifiers",
    str(DCTERMS.spatial): "spatial",
    str(DCTERMS.publisher): "publishers",
    str(DCTERMS.accessRights): "access_rights",
    str(HEALTHDCATAP.healthCategory): "health_categories",
    str(GDCAT.sequencingType): "sequencing_types",
    str(GDCAT.referenceGenome): "reference_genomes",
    str(GDCAT.disease): "diseases",
    str(GDCAT.phenotype): "phenotypes",
    str(GDCAT.dataUsePermission): "permissions",
    str(GDCAT.dataUseModifier): "modifiers",
    str(HEALTHDCATAP.numberOfUniqueIndividuals): "individuals",
    str(GDCAT.numberOfGenomes): "genomes",
    str(GDCAT.numberOfExomes): "exomes",
    str(GDCAT.numberOfSamples): "samples",
    str(DCTERMS.issued): "issued",
    str(DCTERMS.modified): "modified",
    str(DCTERMS.source): "sources",
    str(PROV.wasDerivedFrom): "sources",
}
_TEXTS = ("titles", "descriptions", "keywords")

#: Catalogue record predicate -> RecordFacts attribute.
_PROVENANCE: dict[str, str] = {
    CONTENT_HASH: "content_hash",
    SOURCE_NODE: "node",
    SOURCE_COUNTRY: "source_country",
    VALIDATION_OUTCOME: "outcome",
    VALIDATION_PROFILE: "profile",
}

Text = tuple[str, str]  # (text, language tag or "")


@dataclass
class RecordFacts:
    """What the index needs of one live record, as read from the store."""

    dataset: str
    record: str
    content_hash: str = ""
    types: list[str] = field(default_factory=list)
    titles: list[Text] = field(default_factory=list)
    descriptions: list[Text] = field(default_factory=list)
    keywords: list[Text] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    spatial: list[str] = field(default_factory=list)
    #: publisher IRIs, or blank node ids (named by ``publisher_names``)
    publishers: list[str] = field(default_factory=list)
    publisher_names: dict[str, list[Text]] = field(default_factory=dict)
    access_rights: list[str] = field(default_factory=list)
    health_categories: list[str] = field(default_factory=list)
    sequencing_types: list[str] = field(default_factory=list)
    reference_genomes: list[str] = field(default_factory=list)
    diseases: list[str] = field(default_factory=list)
    phenotypes: list[str] = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    individuals: list[str] = field(default_factory=list)
    genomes: list[str] = field(default_factory=list)
    exomes: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: a source is a live dataset of the catalogue
    derived: bool = False
    node: str | None = None
    source_country: str | None = None
    outcome: str | None = None
    profile: str | None = None

    @property
    def key(self) -> str:
        """The record key: the last segment of the catalogue record IRI."""
        return self.record.rsplit("/", 1)[-1]

    @property
    def kind(self) -> str:
        """``dataset``, ``series`` or ``other`` (data services, anything else)."""
        if _SERIES in self.types:  # a series typed dcat:Dataset as well is a series
            return "series"
        if _DATASET in self.types:
            return "dataset"
        return "other"

    @property
    def country(self) -> str | None:
        """The node's country, else the first EU country of ``dct:spatial`` (by IRI)."""
        if self.source_country:
            return self.source_country
        countries = sorted(s for s in self.spatial if s.startswith(str(COUNTRY)))
        return countries[0] if countries else None


class RecordReader:
    """Reads records of ``store`` in batches."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._prov = store.provenance_graph
        self._base = store.base_iri

    def record_iri(self, dataset: str) -> str:
        return record_iri(self._base, dataset)

    def read(self, datasets: Sequence[str], batch: int = BATCH) -> Iterator[RecordFacts]:
        """The facts of every live record among ``datasets`` (missing ones are skipped)."""
        for start in range(0, len(datasets), batch):
            yield from self._batch(datasets[start : start + batch])

    def read_ahead(
        self, datasets: Sequence[str], batch: int = BATCH, readers: int = READERS
    ) -> Iterator[RecordFacts]:
        """:meth:`read`, with ``readers`` threads reading the next batches while the caller
        works on this one. The engine answers a query without holding Python's lock
        (pyoxigraph evaluates and steps through results outside it; a remote store is an
        HTTP request), and those queries are most of a rebuild's time (87% at a million
        records): with two readers a rebuild keeps both cores busy. The batches come back in
        order; at most ``2 * readers`` are read ahead."""
        parts = [datasets[start : start + batch] for start in range(0, len(datasets), batch)]
        if readers <= 1 or len(parts) <= 1:
            yield from self.read(datasets, batch)
            return
        waiting = iter(parts)
        with ThreadPoolExecutor(readers, thread_name_prefix="gdcat-index-read") as pool:
            pending = deque(
                pool.submit(self._batch_list, part)
                for part in itertools.islice(waiting, 2 * readers)
            )
            try:
                while pending:
                    facts = pending.popleft().result()
                    following = next(waiting, None)
                    if following is not None:
                        pending.append(pool.submit(self._batch_list, following))
                    yield from facts
            finally:  # stopped early, or a batch failed: read nothing more
                for future in pending:
                    future.cancel()

    def _batch_list(self, datasets: Sequence[str]) -> list[RecordFacts]:
        return list(self._batch(datasets))

    def _batch(self, datasets: Sequence[str]) -> Iterator[RecordFacts]:
        records = {self.record_iri(d): d for d in datasets}
        facts: dict[str, RecordFacts] = {}
        values = _values(records)
        for record, items in self._grouped(self._provenance_query(values)):
            fact = RecordFacts(records[record], record)
            withdrawn = False
            for predicate, value, _ in items:
                if predicate == ADMS_STATUS:
                    withdrawn = value == RecordStatus.WITHDRAWN.iri
                elif predicate in _PROVENANCE:
                    setattr(fact, _PROVENANCE[predicate], value)
            if fact.content_hash and not withdrawn:
                facts[record] = fact
        if not facts:
            return
        values = _values(facts)
        for query in (self._texts_query(values), self._statements_query(values)):
            for record, items in self._grouped(query):
                fact = facts[record]
                for predicate, value, language in items:
                    attribute = _PREDICATES[predicate]
                    if attribute in _TEXTS:
                        getattr(fact, attribute).append((value, language))
                    else:
                        getattr(fact, attribute).append(value)
        publishers = self._store.query(self._publishers_query(values), union_default_graph=False)
        for row in publishers.rows:
            record, publisher, name = (_node_id(term) for term in row)
            fact = facts[record]
            tag = row[2].language if isinstance(row[2], ox.Literal) else None
            if publisher.startswith("_:") and publisher not in fact.publishers:
                fact.publishers.append(publisher)  # the statements query skips blank nodes
            fact.publisher_names.setdefault(publisher, []).append((name, tag or ""))
        for row in self._store.query(self._derived_query(values), union_default_graph=False).rows:
            facts[_node_id(row[0])].derived = True
        # Every live record, whatever its graph holds (no type even: kind "other"), so that
        # the index accounts for exactly the live records of the store.
        yield from facts.values()

    def _grouped(self, sparql: str) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        """Rows of ``?record ?facts``, the second a run of length-prefixed strings."""
        for row in self._store.query(sparql, union_default_graph=False).rows:
            record, packed = row
            if isinstance(record, ox.NamedNode) and isinstance(packed, ox.Literal):
                yield record.value, _unpack(packed.value)

    # Query shapes measured on 10,000 records: a FILTER(?p IN …) inside the graph pattern is
    # 40× faster than a VALUES list of predicates (which Oxigraph joins after the scan), and
    # one GROUP_CONCAT row per record costs Python far less than a row per statement. Each
    # string is prefixed by its length, so no text can forge a statement. The same FILTER
    # keeps out the objects the packing cannot take (see _PACK_IRIS): one error in one row
    # would lose the whole record.

    def _provenance_query(self, values: str) -> str:
        predicates = ", ".join(f"<{p}>" for p in (ADMS_STATUS, *_PROVENANCE))
        return (
            f"SELECT ?record {_PACK_IRIS} WHERE {{ {values} "
            f"GRAPH <{self._prov}> {{ ?record ?p ?o "
            f"FILTER(?p IN ({predicates}) && !isBlank(?o)) }} }} "
            "GROUP BY ?record"
        )

    def _texts_query(self, values: str) -> str:
        predicates = ", ".join(f"<{p}>" for p in _PREDICATES if _PREDICATES[p] in _TEXTS)
        return (
            f"SELECT ?record {_PACK_TEXTS} WHERE {{ {values} "
            f"GRAPH <{self._prov}> {{ ?record <{_PRIMARY_TOPIC}> ?dataset }} "
            f"GRAPH ?record {{ ?dataset ?p ?o FILTER(?p IN ({predicates}) && isLiteral(?o)) }} }} "
            "GROUP BY ?record"
        )

    def _statements_query(self, values: str) -> str:
        predicates = ", ".join(f"<{p}>" for p in _PREDICATES if _PREDICATES[p] not in _TEXTS)
        return (
            f"SELECT ?record {_PACK_IRIS} WHERE {{ {values} "
            f"GRAPH <{self._prov}> {{ ?record <{_PRIMARY_TOPIC}> ?dataset }} "
            f"GRAPH ?record {{ ?dataset ?p ?o FILTER(?p IN ({predicates}) && !isBlank(?o)) }} }} "
            "GROUP BY ?record"
        )

    def _publishers_query(self, values: str) -> str:
        return (
            f"SELECT ?record ?publisher ?name WHERE {{ {values} "
            f"GRAPH <{self._prov}> {{ ?record <{_PRIMARY_TOPIC}> ?dataset }} "
            f"GRAPH ?record {{ ?dataset <{DCTERMS.publisher}> ?publisher . "
            f"?publisher <{FOAF.name}> ?name }} }}"
        )

    def _derived_query(self, values: str) -> str:
        return (
            f"SELECT DISTINCT ?record WHERE {{ {values} "
            f"GRAPH <{self._prov}> {{ ?record <{_PRIMARY_TOPIC}> ?dataset }} "
            f"GRAPH ?record {{ ?dataset <{DCTERMS.source}>|<{PROV.wasDerivedFrom}> ?source }} "
            f"GRAPH <{self._prov}> {{ ?sourceRecord <{_PRIMARY_TOPIC}> ?source }} "
            f"GRAPH ?sourceRecord {{ ?source a <{_DATASET}> }} }}"
        )


def _length_prefixed(expression: str) -> str:
    return f'STR(STRLEN({expression})), ":", {expression}'


# STR() of a blank node and LANG() of an IRI are errors, and in Oxigraph one error in one row
# leaves the whole GROUP_CONCAT unbound: the record's every statement (or text) would be lost.
# The queries therefore filter such objects out inside the graph pattern: blank nodes from the
# statements (blank-node publishers are read by the publishers query), everything but literals
# from the texts.
_PACK_IRIS = (
    f"(GROUP_CONCAT(CONCAT({_length_prefixed('STR(?p)')}, {_length_prefixed('STR(?o)')}, "
    '"0:"); SEPARATOR="") AS ?facts)'
)
_PACK_TEXTS = (
    f"(GROUP_CONCAT(CONCAT({_length_prefixed('STR(?p)')}, {_length_prefixed('STR(?o)')}, "
    f'{_length_prefixed("LANG(?o)")}); SEPARATOR="") AS ?facts)'
)


def _values(records: Iterable[str]) -> str:
    return "VALUES ?record { " + " ".join(f"<{r}>" for r in records) + " }"


def _unpack(packed: str) -> list[tuple[str, str, str]]:
    """``(predicate, value, language)`` triples from a run of ``length:string`` fields."""
    fields: list[str] = []
    position = 0
    while position < len(packed):
        colon = packed.index(":", position)
        start = colon + 1
        end = start + int(packed[position:colon])
        fields.append(packed[start:end])
        position = end
    return [(fields[i], fields[i + 1], fields[i + 2]) for i in range(0, len(fields) - 2, 3)]


def _node_id(term: object) -> str:
    """An IRI's value, or a blank node's id (stable within one query answer)."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return ""


def record_digest(hashes: dict[str, str]) -> str:
    """A digest of the live records (dataset IRI -> content hash), independent of order and
    updatable one record at a time (see :func:`digest_entry`)."""
    total = 0
    for dataset, content_hash in hashes.items():
        total ^= digest_entry(dataset, content_hash)
    return f"{total:064x}"


def digest_entry(dataset: str, content_hash: str) -> int:
    """One record's share of :func:`record_digest` (XOR it in to add, again to remove)."""
    data = f"{dataset}\x00{content_hash}".encode()
    return int.from_bytes(hashlib.sha256(data).digest(), "big")
