"""The SPARQL text of the record layout, shared by the embedded and the remote store.

Both stores keep records the same way (one named graph per record, the catalogue records in the
provenance graph, see :mod:`gdcat.store.records`) and write them with the same SPARQL 1.1
updates: the embedded store hands the text to pyoxigraph, the remote store sends it to the
engine's update endpoint. Every IRI in the text was checked by
:class:`~gdcat.store.quads.QuadWriter` or minted from the validated base IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from gdcat.errors import StoreError
from gdcat.store.counts import CountLayout, contributions_of, write_contribution
from gdcat.store.datatypes import WKT_LITERAL, WKT_STAND_IN
from gdcat.store.quads import QuadWriter
from gdcat.store.records import (
    ADMS_STATUS,
    CONTENT_HASH,
    LAST_HARVEST_RUN,
    SOURCE_COUNTRY,
    SOURCE_NODE,
    SOURCE_URL,
    VALIDATION_OUTCOME,
    VALIDATION_PROFILE,
    WAS_GENERATED_BY,
    CatalogRecord,
    ReadAlong,
    RecordMeta,
    RecordStatus,
    RecordWrite,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CATALOG_RECORD = "http://www.w3.org/ns/dcat#CatalogRecord"
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
ISSUED = "http://purl.org/dc/terms/issued"
MODIFIED = "http://purl.org/dc/terms/modified"
CONFORMS_TO = "http://purl.org/dc/terms/conformsTo"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
XSD_ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"
CREATED = RecordStatus.CREATED.iri
UPDATED = RecordStatus.UPDATED.iri
WITHDRAWN = RecordStatus.WITHDRAWN.iri


@dataclass(frozen=True)
class PendingRecord:
    """A record about to be written, with its catalogue record's IRI (its graph's name)."""

    write: RecordWrite
    record: str


def now() -> datetime:
    """The current time to the millisecond (what the catalogue record keeps)."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def datetime_literal(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f'"{text}"^^<{XSD_DATETIME}>'


def catalog_lines(
    writer: QuadWriter, item: PendingRecord, moment: datetime, tail: str, *, first: bool
) -> str:
    """The catalogue record's triples; ``first`` adds the first-seen date and status of a
    record the store has never seen (the bulk path; the replacing path works them out in
    SPARQL)."""
    return catalog_record_lines(
        writer, item.write.dataset_iri, item.record, item.write.meta, moment, tail, first=first
    )


def catalog_record_lines(
    writer: QuadWriter,
    dataset_iri: str,
    record: str,
    meta: RecordMeta,
    moment: datetime,
    tail: str,
    *,
    first: bool,
) -> str:
    """:func:`catalog_lines` from the dataset IRI, the catalogue record's IRI and the
    metadata (for writers that have the record's triples as text, not as a graph)."""
    subject = f"<{record}>"
    now_text = datetime_literal(moment)
    pairs = [
        (RDF_TYPE, f"<{CATALOG_RECORD}>"),
        (PRIMARY_TOPIC, writer.iri(dataset_iri)),
        (MODIFIED, now_text),
        (SOURCE_URL, writer.literal(meta.source, datatype=XSD_ANY_URI)),
        (CONTENT_HASH, writer.literal(meta.content_hash)),
        (VALIDATION_PROFILE, writer.literal(meta.profile)),
        (VALIDATION_OUTCOME, writer.literal(meta.outcome)),
    ]
    if meta.node is not None:
        pairs.append((SOURCE_NODE, writer.literal(meta.node)))
    if meta.country is not None:
        pairs.append((SOURCE_COUNTRY, writer.iri(meta.country)))
    if meta.conforms_to is not None:
        pairs.append((CONFORMS_TO, writer.iri(meta.conforms_to)))
    if meta.run is not None:
        pairs.append((WAS_GENERATED_BY, writer.iri(meta.run)))
        pairs.append((LAST_HARVEST_RUN, writer.iri(meta.run)))
    if first:
        pairs.append((ISSUED, now_text))
        pairs.append((ADMS_STATUS, f"<{CREATED}>"))
    return "".join(f"{subject} <{p}> {o}{tail}" for p, o in pairs)


def replace_operations(
    provenance: str,
    texts: list[tuple[PendingRecord, str, str]],
    moment: datetime,
    counts: CountLayout,
    *,
    constant_blank_nodes: bool = True,
) -> list[str]:
    """The update operations replacing each record of ``texts`` (record, its triples as quad
    data, its catalogue record's lines) whole: its graph dropped and written again, its
    catalogue record rewritten with its first-seen date kept, and the counts
    (:mod:`gdcat.store.counts`) moved from its old version to its new one. Without
    ``constant_blank_nodes`` (an engine whose ``INSERT DATA`` refuses blank nodes), the data
    is written by :func:`insert_operations`."""
    prov = provenance
    records = [item.record for item, _, _ in texts]
    values = " ".join(f"<{r}>" for r in records)
    issued = datetime_literal(moment)
    ops = [counts.mark_if_empty(), *counts.subtract_operations(records)]
    ops += [f"DROP SILENT GRAPH <{item.record}>" for item, _, _ in texts]
    # The old catalogue record goes, except its first-seen date; its status tells whether
    # this write creates the record (never seen, or withdrawn) or updates it.
    ops.append(
        f"DELETE {{ GRAPH <{prov}> {{ ?record ?p ?o }} }}\n"
        f"INSERT {{ GRAPH <{prov}> {{ ?record <{ADMS_STATUS}> ?status }} }}\n"
        f"WHERE {{ VALUES ?record {{ {values} }}\n"
        # OPTIONAL and BOUND rather than EXISTS in BIND, which Virtuoso cannot compile
        f"  OPTIONAL {{ GRAPH <{prov}> {{ ?record <{ISSUED}> ?first }} }}\n"
        f"  OPTIONAL {{ GRAPH <{prov}> {{ ?record <{ADMS_STATUS}> ?was }} }}\n"
        f"  BIND(IF(BOUND(?first) && (!BOUND(?was) || ?was != <{WITHDRAWN}>), "
        f"<{UPDATED}>, <{CREATED}>) AS ?status)\n"
        f"  OPTIONAL {{ GRAPH <{prov}> {{ ?record ?p ?o }} FILTER(?p != <{ISSUED}>) }} }}"
    )
    ops.append(
        f"INSERT {{ GRAPH <{prov}> {{ ?record <{ISSUED}> {issued} }} }}\n"
        f"WHERE {{ VALUES ?record {{ {values} }} "
        f"FILTER NOT EXISTS {{ GRAPH <{prov}> {{ ?record <{ISSUED}> ?first }} }} }}"
    )
    catalog = "".join(lines for _, _, lines in texts)
    if not constant_blank_nodes:
        graphs = [(item.record, data) for item, data, _ in texts] + [(prov, catalog)]
        ops += insert_operations(graphs)
    else:
        blocks = [f"GRAPH <{item.record}> {{\n{data}}}\n" for item, data, _ in texts]
        ops.append("INSERT DATA {\n" + "".join(blocks) + f"GRAPH <{prov}> {{\n{catalog}}}\n}}")
    ops += counts.add_operations(*record_contributions(counts, [item for item, _, _ in texts]))
    return ops


#: An N-Triples line whose object is a duration: ``s p "lexical"^^<type> .``
_DURATION_LINE = re.compile(
    r'^(?P<head>\S+ \S+) "(?P<lexical>[-+PYMDTHS0-9.]*)"\^\^'
    r"<(?P<type>http://www\.w3\.org/2001/XMLSchema#(?:duration|yearMonthDuration|"
    r"dayTimeDuration))> \.$"
)


_WKT_END = f"^^<{WKT_LITERAL}> ."
_WKT_STAND_IN_END = f"^^<{WKT_STAND_IN}> ."


def insert_operations(graphs: list[tuple[str, str]]) -> list[str]:
    """Operations adding each graph's N-Triples lines (``(graph IRI, lines)``) for an engine
    whose ``INSERT DATA`` takes neither blank nodes nor durations (Virtuoso 7): per graph, one
    ``INSERT DATA`` of the plain lines, and one ``INSERT { … } WHERE { … }`` of the lines
    holding a blank node (a template's blank nodes are fresh, the same label naming the same
    node within it) or a duration (bound with ``STRDT``, the one form Virtuoso accepts). A
    WKT literal is written under :data:`~gdcat.store.datatypes.WKT_STAND_IN`."""
    ops: list[str] = []
    for graph, lines in graphs:
        plain: list[str] = []
        template: list[str] = []
        binds: list[str] = []
        for line in lines.split("\n"):  # not splitlines(): U+2028 may be in a literal
            if not line:
                continue
            if line.endswith(_WKT_END):  # kept as written, not as Virtuoso's geometry
                line = line[: -len(_WKT_END)] + _WKT_STAND_IN_END
            duration = _DURATION_LINE.match(line)
            if duration is not None:
                name = f"?d{len(binds)}"
                binds.append(
                    f'BIND(STRDT("{duration["lexical"]}", <{duration["type"]}>) AS {name})'
                )
                template.append(f"{duration['head']} {name} .")
            elif _has_blank_node(line):
                template.append(line)
            else:
                plain.append(line)
        if plain:
            ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(plain) + "\n} }")
        if template:
            ops.append(
                f"INSERT {{ GRAPH <{graph}> {{\n"
                + "\n".join(template)
                + "\n} }\nWHERE { "
                + " ".join(binds)
                + " }"
            )
    return ops


def _has_blank_node(line: str) -> bool:
    """Whether an N-Triples line's subject or object is a blank node (IRIs hold no spaces, so
    the object starts after the second space)."""
    return line.startswith("_:") or line.split(" ", 2)[-1].startswith("_:")


def record_contributions(
    counts: CountLayout, items: list[PendingRecord], tail: str = " .\n"
) -> tuple[dict[str, int], str, str]:
    """What ``items`` add to the counters: the deltas, their contributions' lines and the
    descriptions of the counters they touch."""
    counted = (
        (
            item.record,
            write_contribution(
                item.write.dataset_iri, item.write.graph, item.write.ntriples, meta.country
            ),
        )
        for item in items
        if (meta := item.write.meta)
    )
    lines, descriptions, deltas = contributions_of(counts, counted, tail)
    return deltas, lines, descriptions


def live_record_ask(provenance: str, record: str) -> str:
    """Whether ``record`` has a catalogue record that is not withdrawn."""
    return (
        f"ASK {{ GRAPH <{provenance}> {{ <{record}> <{PRIMARY_TOPIC}> ?dataset "
        f"FILTER NOT EXISTS {{ <{record}> <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }}"
    )


def record_with_triples_query(provenance: str, record: str, along: ReadAlong | None) -> str:
    """The catalogue record ``record``, the triples of its graph and the solutions of
    ``along`` in one answer: a solution of the catalogue record leaves ``?s`` unbound (its
    subject is ``record``), one of the graph binds ``?s ?p ?o``, one of ``along`` leaves
    ``?p`` unbound. A withdrawn record's graph was dropped: it adds nothing."""
    projection = "?s ?p ?o" + (" " + along.projection if along else "")
    branches = [f"GRAPH <{provenance}> {{ <{record}> ?p ?o }}", f"GRAPH <{record}> {{ ?s ?p ?o }}"]
    if along:
        branches.append(along.pattern)
    return f"SELECT {projection} WHERE {{ " + " UNION ".join(f"{{ {b} }}" for b in branches) + " }"


def withdraw_operations(
    provenance: str, record: str, moment: datetime, counts: CountLayout
) -> list[str]:
    """The record's graph dropped, its catalogue record marked withdrawn (a tombstone) and
    what it added to the counts taken off."""
    prov = provenance
    stamp = datetime_literal(moment)
    return [
        *counts.subtract_operations([record]),
        f"DROP SILENT GRAPH <{record}>",
        f"DELETE {{ GRAPH <{prov}> {{ <{record}> <{ADMS_STATUS}> ?status ; "
        f"<{MODIFIED}> ?modified }} }}\n"
        f"INSERT {{ GRAPH <{prov}> {{ <{record}> <{ADMS_STATUS}> <{WITHDRAWN}> ; "
        f"<{MODIFIED}> {stamp} }} }}\n"
        # VALUES first: Virtuoso answers nothing for a group starting with an OPTIONAL that
        # matches nothing
        f"WHERE {{ VALUES ?record {{ <{record}> }} "
        f"OPTIONAL {{ GRAPH <{prov}> {{ <{record}> <{ADMS_STATUS}> ?status }} }} "
        f"OPTIONAL {{ GRAPH <{prov}> {{ <{record}> <{MODIFIED}> ?modified }} }} }}",
    ]


def mark_seen_operation(provenance: str, records: list[str], run: str) -> str:
    """``gdcat:lastHarvestRun`` of each of ``records`` (that exists) set to ``run`` (written).

    Two operations of one request (one transaction), each starting from the records named:
    an ``OPTIONAL`` for the old value made Oxigraph read the property of every record in the
    catalogue at each call, which made a re-harvest's cost grow with nodes x records."""
    prov = provenance
    values = " ".join(f"<{r}>" for r in records)
    return (
        f"DELETE {{ GRAPH <{prov}> {{ ?record <{LAST_HARVEST_RUN}> ?old }} }}\n"
        f"WHERE {{ VALUES ?record {{ {values} }} "
        f"GRAPH <{prov}> {{ ?record <{LAST_HARVEST_RUN}> ?old }} }} ;\n"
        f"INSERT {{ GRAPH <{prov}> {{ ?record <{LAST_HARVEST_RUN}> {run} }} }}\n"
        f"WHERE {{ VALUES ?record {{ {values} }} "
        f"GRAPH <{prov}> {{ ?record <{PRIMARY_TOPIC}> ?dataset }} }}"
    )


def list_records_query(provenance: str) -> str:
    return (
        f"SELECT ?dataset WHERE {{ GRAPH <{provenance}> {{ "
        f"?record <{PRIMARY_TOPIC}> ?dataset "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }} "
        "ORDER BY ?dataset"
    )


def record_hashes_query(provenance: str) -> str:
    return (
        f"SELECT ?dataset ?hash WHERE {{ GRAPH <{provenance}> {{ "
        f"?record <{PRIMARY_TOPIC}> ?dataset ; <{CONTENT_HASH}> ?hash "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }}"
    )


def record_sources_query(provenance: str, node: str | None) -> str:
    """``?dataset ?hash ?source ?profile ?outcome`` of every live record (of one node)."""
    node_filter = ""
    if node is not None:
        node_filter = f"; <{SOURCE_NODE}> {QuadWriter().literal(node)} "
    return (
        f"SELECT ?dataset ?hash ?source ?profile ?outcome WHERE {{ "
        f"GRAPH <{provenance}> {{ "
        f"?record <{PRIMARY_TOPIC}> ?dataset ; <{CONTENT_HASH}> ?hash {node_filter}"
        f"OPTIONAL {{ ?record <{SOURCE_URL}> ?source }} "
        f"OPTIONAL {{ ?record <{VALIDATION_PROFILE}> ?profile }} "
        f"OPTIONAL {{ ?record <{VALIDATION_OUTCOME}> ?outcome }} "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }}"
    )


def known_records_query(provenance: str, records: list[str]) -> str:
    """The records (of those named) that have a catalogue record or a graph already."""
    values = " ".join(f"<{r}>" for r in records)
    return (
        f"SELECT DISTINCT ?record WHERE {{ VALUES ?record {{ {values} }} "
        f"{{ GRAPH <{provenance}> {{ ?record ?p ?o }} }} "
        f"UNION {{ GRAPH ?record {{ ?s ?q ?v }} }} }}"
    )


def catalog_record_from(record: str, values: dict[str, str]) -> CatalogRecord:
    """The catalogue record ``record`` from its predicates' values (IRIs and lexical forms)."""
    try:
        meta = RecordMeta(
            source=values.get(SOURCE_URL, ""),
            content_hash=values[CONTENT_HASH],
            profile=values[VALIDATION_PROFILE],
            outcome=values[VALIDATION_OUTCOME],  # type: ignore[arg-type]
            node=values.get(SOURCE_NODE),
            country=values.get(SOURCE_COUNTRY),
            conforms_to=values.get(CONFORMS_TO),
            run=values.get(WAS_GENERATED_BY),
        )
        return CatalogRecord(
            iri=record,
            dataset_iri=values[PRIMARY_TOPIC],
            meta=meta,
            issued=datetime.fromisoformat(values[ISSUED]),
            modified=datetime.fromisoformat(values[MODIFIED]),
            status=RecordStatus.from_iri(values[ADMS_STATUS]),
        )
    except (KeyError, ValueError) as e:
        raise StoreError(f"the catalogue record {record} is incomplete: {e}") from e
