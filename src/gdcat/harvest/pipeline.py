"""The harvest: fetch -> parse -> split -> normalise -> hash -> diff -> validate -> write ->
withdraw, for every node of a run.

Nodes are crawled concurrently, each in its own thread with its own HTTP client and limits,
so a dead or slow node never holds up the others. The crawl threads hand the records that
changed to the main thread in batches, through a bounded queue: the main thread validates them
(in worker processes) and writes them while the crawls go on, and a crawl that gets ahead waits
for room, so memory stays bounded however large the federation. Records nobody changed cost a
hash and nothing else, and documents whose pages did not change (``304`` or the same body) are
not even parsed. When a node's crawl ends, its vanished records are withdrawn (or kept, see
below) and its state saved. Beacons are crawled after the other nodes, since their service
records link to datasets by identifier.

Safety rules:

- one bad record never stops a run: it is rejected with its report (or, under the ``accept``
  policy, stored with its violations), and the other records go on;
- a node whose crawl met any failure withdraws nothing (the run is *partial*, with the reason);
- a node never writes nor withdraws a record it does not hold: right before each batch is
  written (and before withdrawing), the current catalogue records of exactly those datasets are
  read, under the lock publishing takes too (:func:`record_lock`); a dataset another node holds
  (harvested or published), or that the node's stewards published over the API (even after the
  run started), is left alone, and the run report says why;
- a node that shrinks by more than its ``max_shrink`` share withdraws nothing unless the
  operator allows it for this run;
- a record refused by the store keeps its previous version, and the node's page state is not
  advanced, so the next run reads it again;
- the node's state is saved only after its records were written: a run killed half way leaves
  every record whole (old or new version) and the next run completes the work.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF

from gdcat.errors import GdcatError
from gdcat.harvest.leases import HarvestLeases
from gdcat.harvest.normalise import apply_crosswalks, link_beacon_datasets, normalise
from gdcat.harvest.parsing import PageParser, parse_workers, record_of
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import NodeReport, PageFailure, Reason, Rejection, RunReport
from gdcat.harvest.state import (
    HeldCounts,
    NodeState,
    RejectedRecord,
    due_nodes,
    load_state,
    records_digest,
    save_state,
)
from gdcat.rdf.parse import ParseLimits
from gdcat.rdf.records import (
    Record,
    closure_triples,
    describes_resources,
    not_metadata_error,
    record_boundary,
    record_roots,
    split_records,
)
from gdcat.settings import Settings
from gdcat.sources import Document, Failure, HttpClient, PageState, ParsedRecord
from gdcat.sources.network import Network
from gdcat.store import RecordMeta, RecordStatus, RecordWrite, RecordWriteError, Store
from gdcat.store.inventory import count_record_kinds
from gdcat.store.records import (
    ADMS_STATUS,
    SOURCE_NODE,
    SOURCE_URL,
    is_published_source,
    record_iri,
)
from gdcat.validate import ValidationReport, Validator

#: Called with each node's report as soon as the node is done.
Progress = Callable[[NodeReport], None]

#: Changed records handed from a crawl thread to the main thread at a time.
BATCH = 400
#: Batches waiting in the queue before crawl threads wait (bounds the memory in flight).
QUEUE_BATCHES = 3

_RECORD_LOCKS: weakref.WeakKeyDictionary[Store, threading.Lock] = weakref.WeakKeyDictionary()
_RECORD_LOCKS_GUARD = threading.Lock()


def record_lock(store: Store) -> threading.Lock:
    """The lock of ``store`` under which a node's records are checked and written: whoever
    writes or withdraws records of a node (a harvest, the publisher) first reads who holds
    them, then writes, all under this lock, so that neither undoes what the other just did."""
    with _RECORD_LOCKS_GUARD:
        lock = _RECORD_LOCKS.get(store)
        if lock is None:
            lock = _RECORD_LOCKS[store] = threading.Lock()
        return lock


@dataclass(frozen=True)
class Holder:
    """Who holds a dataset IRI in the catalogue now: its catalogue record's node and source."""

    node: str | None
    source: str
    withdrawn: bool


def current_holders(store: Store, datasets: Sequence[str]) -> dict[str, Holder]:
    """The catalogue records of ``datasets`` as they are now (one query a few thousand
    datasets); datasets the catalogue never held are left out.

    Each property is its own branch of a ``UNION``, every branch starting from the records
    named: an ``OPTIONAL`` beside the ``VALUES`` made Oxigraph read the property for every
    record of the catalogue, a cost per batch that grew with the catalogue."""
    prov = store.provenance_graph
    withdrawn = RecordStatus.WITHDRAWN.iri
    unique = list(dict.fromkeys(datasets))
    wanted = (FOAF.primaryTopic, SOURCE_NODE, SOURCE_URL, ADMS_STATUS)
    out: dict[str, Holder] = {}
    for start in range(0, len(unique), 2000):
        # record IRIs are minted from hashes: safe in query text whatever the dataset IRI
        part = unique[start : start + 2000]
        values = " ".join(f"<{record_iri(store.base_iri, d)}>" for d in part)
        branches = " UNION ".join(
            f"{{ VALUES ?record {{ {values} }} GRAPH <{prov}> {{ ?record <{p}> ?value }} "
            f"BIND({i} AS ?property) }}"
            for i, p in enumerate(wanted)
        )
        result = store.query(
            f"SELECT ?record ?property ?value WHERE {{ {branches} }}", union_default_graph=False
        )
        found: dict[str, dict[int, ox.NamedNode | ox.Literal | ox.BlankNode]] = {}
        for record, prop, value in result.rows:
            if (
                isinstance(record, ox.NamedNode)
                and isinstance(prop, ox.Literal)
                and isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode)
            ):
                found.setdefault(record.value, {})[int(prop.value)] = value
        for values_of in found.values():
            dataset, node, source, status = (values_of.get(i) for i in range(4))
            if not isinstance(dataset, ox.NamedNode):
                continue
            out[dataset.value] = Holder(
                node.value if isinstance(node, ox.Literal) else None,
                source.value if isinstance(source, ox.Literal | ox.NamedNode) else "",
                isinstance(status, ox.NamedNode) and status.value == withdrawn,
            )
    return out


@dataclass
class _Known:
    """What the store holds for a node before the run."""

    hashes: dict[str, str]
    by_source: dict[str, list[str]]
    #: stored records to validate again although unchanged: stored under another profile,
    #: or accepted with violations by a node whose policy is now ``reject``
    stale: set[str] = field(default_factory=set)
    #: records the node's stewards published over the API: never overwritten nor withdrawn
    published: set[str] = field(default_factory=set)
    #: :func:`records_digest` of every record the node holds (published ones too)
    digest: str = ""


@dataclass
class _Collected:
    """One node's crawl: what changed, what was seen, what failed."""

    node: NodeConfig
    report: NodeReport
    known: _Known
    state: NodeState
    changed: list[Record] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    unchanged: list[str] = field(default_factory=list)
    carried_rejections: dict[str, RejectedRecord] = field(default_factory=dict)
    #: document URL -> the records read from it this run
    documents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None
    #: filled in while committing, batch by batch
    rejected_state: dict[str, RejectedRecord] = field(default_factory=dict)
    failed_writes: dict[str, str] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    #: where a crawl thread hands its batches (set by the run)
    outbox: queue.Queue[tuple[str, _Collected, list[Record]]] | None = None
    started: float = field(default_factory=time.monotonic)


class Harvester:
    """Harvests nodes into a store; one instance can run several times."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        max_parallel: int | None = None,
        progress: Progress | None = None,
        network: Network | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._limits = ParseLimits.from_settings(self.settings)
        #: nodes crawled at once (default: the setting ``harvest_nodes_at_once``)
        self.max_parallel = max_parallel or self.settings.harvest_nodes_at_once
        self.progress = progress
        #: where names are resolved and connections opened (the system's, unless a test
        #: needs a name service that answers on demand)
        self.network = network
        self._validators: dict[str, Validator] = {}
        self._lock = threading.Lock()
        self._started = _now()
        self._leases: HarvestLeases | None = None
        workers = parse_workers(self.settings.harvest_parse_workers)
        #: parses DCAT documents and feeds, SPARQL endpoints' batches and FAIR Data Points'
        #: datasets into records in worker processes (None: here)
        self._parser = (
            PageParser(workers, self.settings.harvest_parse_pool_from) if workers else None
        )

    def close(self) -> None:
        for validator in self._validators.values():
            validator.close()
        self._validators.clear()
        if self._parser is not None:
            self._parser.close()

    def __enter__(self) -> Harvester:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- a run ----------------------------------------------------------------------------

    def run(
        self,
        nodes: Sequence[NodeConfig],
        *,
        dry_run: bool = False,
        allow_shrink: Iterable[str] = (),
        due_at: datetime | None = None,
    ) -> RunReport:
        """Harvest ``nodes``; ``allow_shrink`` names nodes allowed past the deletion guard.
        With ``due_at`` (a scheduler chose ``nodes`` as due at that moment), a node is
        harvested only if it is still due once its lease is taken: another process may have
        harvested it in between."""
        started = _now()
        run_iri = (
            f"{self.store.base_iri}run/{started.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"
        )
        report = RunReport(run_iri, started, dry_run=dry_run)
        self._started = started
        allowed = set(allow_shrink)
        with HarvestLeases(self.store, dry_run=dry_run) as leases:
            self._leases = leases
            try:
                nodes = leases.take(nodes, report)
                if due_at is not None and not dry_run:
                    still = due_nodes(self.store, nodes, due_at)
                    leases.release([n for n in nodes if n not in still])
                    nodes = still
                self._run_nodes(nodes, run_iri, report, dry_run=dry_run, allowed=allowed)
            finally:
                self._leases = None
        report.ended = _now()
        if not dry_run and report.nodes:
            self._save_report(report)
        return report

    def _run_nodes(
        self,
        nodes: Sequence[NodeConfig],
        run_iri: str,
        report: RunReport,
        *,
        dry_run: bool,
        allowed: set[str],
    ) -> None:
        phases = [
            [n for n in nodes if n.kind != "beacon"],
            [n for n in nodes if n.kind == "beacon"],
        ]
        by_id: dict[str, NodeReport] = {}
        for phase in phases:
            if phase:
                self._run_phase(phase, run_iri, by_id, dry_run=dry_run, allowed=allowed)
        report.nodes = [by_id[n.id] for n in nodes if n.id in by_id]

    def _run_phase(
        self,
        nodes: Sequence[NodeConfig],
        run_iri: str,
        by_id: dict[str, NodeReport],
        *,
        dry_run: bool,
        allowed: set[str],
    ) -> None:
        """Crawl ``nodes`` in threads; validate, write and finish each in this thread."""
        outbox: queue.Queue[tuple[str, _Collected, list[Record]]] = queue.Queue(QUEUE_BATCHES)
        with ThreadPoolExecutor(
            max_workers=max(1, min(self.max_parallel, len(nodes))),
            thread_name_prefix="gdcat-harvest",
        ) as pool:
            for node in nodes:
                pool.submit(self._crawl_thread, node, outbox)
            remaining = len(nodes)
            while remaining:
                kind, c, records = outbox.get()
                if kind == "batch":
                    self._isolated(c, partial(self._write_batch, c, records, run_iri, dry_run))
                    continue
                remaining -= 1
                finish = partial(
                    self._finish, c, run_iri, dry_run=dry_run, allow_shrink=c.node.id in allowed
                )
                self._isolated(c, finish)
                by_id[c.node.id] = c.report
                if self.progress is not None:
                    self.progress(c.report)

    def _crawl_thread(
        self, node: NodeConfig, outbox: queue.Queue[tuple[str, _Collected, list[Record]]]
    ) -> None:
        """Crawl one node, handing batches of changed records over; always ends with "done"."""
        collected = _Collected(
            node, NodeReport(node.id, node.kind, node.url), _Known({}, {}), NodeState()
        )
        collected.outbox = outbox
        try:
            self._collect(collected)
        except Exception as e:  # a bug or an unforeseen failure: isolate the node
            collected.error = _describe(e)
            collected.report.fail(f"the harvest of this node failed: {_describe(e)}")
        finally:
            if collected.changed and collected.error is None:
                outbox.put(("batch", collected, collected.changed))
            collected.changed = []
            outbox.put(("done", collected, []))

    def _isolated(self, c: _Collected, step: Callable[[], None]) -> None:
        """Run a commit step; a failure (validation, store) fails this node only, as does
        the loss of the node's harvest lease (another process harvests it now)."""
        if c.error is not None:
            return
        if self._leases is not None and self._leases.lost(c.node.id):
            c.error = "harvest lease lost"
            c.report.fail(
                "this run lost the node's harvest lease (it stalled past the lease's expiry) "
                "and another process took the node over: nothing more was written for it here"
            )
            return
        try:
            step()
        except Exception as e:
            c.error = _describe(e)
            c.report.fail(f"the node's records could not be processed: {_describe(e)}")

    # -- per node: crawl (in a thread) ----------------------------------------------------

    def _collect(self, collected: _Collected) -> None:
        node, report = collected.node, collected.report
        known = collected.known = self._known(node)
        state = collected.state = load_state(self.store, node.id)
        try:
            policy = node.http_policy()
        except GdcatError as e:
            report.fail(str(e))
            collected.error = str(e)
            return
        pages = dict(state.pages)
        decided_otherwise = any(
            (r.profile, r.policy) != (node.profile, node.policy) for r in state.rejected.values()
        )
        if known.stale or decided_otherwise:
            pages = {}  # records must be validated again: read every page afresh
        new_pages: dict[str, PageState] = {}
        with HttpClient(policy, network=self.network) as client:
            try:
                # a node whose records a crosswalk rewrites is parsed here, where the
                # crosswalk's code runs
                parser = None if node.crosswalks else self._parser
                for item in node.source(self._limits, parser=parser).crawl(client, pages):
                    if isinstance(item, Failure):
                        report.failures.append(PageFailure(item.url, item.kind, item.message))
                        continue
                    for page in item.pages:
                        new_pages[page.url] = page
                    self._take(collected, item)
            except GdcatError as e:
                report.failures.append(PageFailure(node.url, "protocol", str(e)))
            finally:
                report.requests = client.requests
        if not report.failures and not collected.seen:
            report.warnings.append(_nothing_found(node, report.documents))
        documents = collected.documents
        if report.failures:
            # pages not reached this time keep what was known of them
            new_pages = {**state.pages, **new_pages}
            documents = {**state.documents, **documents}
        collected.state = NodeState(
            new_pages, state.rejected, state.last_run, state.harvested_at, documents, state.held
        )

    def _take(self, c: _Collected, doc: Document) -> None:
        if doc.navigation:
            return
        c.report.documents += 1
        if doc.unchanged:
            c.report.unchanged_documents += 1
            if doc.members is not None:
                members: tuple[str, ...] = doc.members
            elif doc.url in c.state.documents:
                members = c.state.documents[doc.url]
            else:  # state written before documents were remembered
                members = tuple(c.known.by_source.get(doc.url, []))
            c.documents[doc.url] = members
            for iri in members:
                if iri in c.seen or iri in c.known.published:
                    continue
                rejected = c.state.rejected.get(iri)
                if rejected is not None:
                    # the node still publishes the version that was rejected
                    c.seen.add(iri)
                    c.carried_rejections[iri] = rejected
                elif iri in c.known.hashes:
                    c.seen.add(iri)
                    c.unchanged.append(iri)
            return
        found: list[Record] | list[ParsedRecord]
        if doc.parsed is not None:  # parsed, split and hashed by a parsing process
            found = list(doc.parsed.records)
            if doc.parsed.not_metadata is not None:
                c.report.warnings.append(doc.parsed.not_metadata)
        else:
            assert doc.graph is not None
            found = self._records(c, doc)
            if not found and not describes_resources(doc.graph):
                c.report.warnings.append(str(not_metadata_error(doc.graph, doc.url)))
        c.documents[doc.url] = tuple(r.iri for r in found)
        for item in found:
            if item.iri in c.seen:
                c.report.warnings.append(
                    f"{item.iri} is described in more than one document; kept the first "
                    f"(also in {doc.url})"
                )
                continue
            c.seen.add(item.iri)
            if item.iri in c.known.published:
                c.report.warnings.append(
                    f"{item.iri} was published by the node's stewards over the API; the "
                    f"harvested version (in {doc.url}) was not stored"
                )
                continue
            digest = item.content_hash
            if c.known.hashes.get(item.iri) == digest and item.iri not in c.known.stale:
                c.unchanged.append(item.iri)
                continue
            before = c.state.rejected.get(item.iri)
            if (
                before is not None
                and before.content_hash == digest
                and (before.profile, before.policy) == (c.node.profile, c.node.policy)
            ):
                c.carried_rejections[item.iri] = RejectedRecord(
                    digest, doc.url, before.reasons, before.profile, before.policy
                )
                continue
            # only a record to validate and write gets an rdflib graph
            c.changed.append(item if isinstance(item, Record) else record_of(item, doc.url))
            if len(c.changed) >= BATCH and c.outbox is not None:
                c.outbox.put(("batch", c, c.changed))  # waits while the main thread is behind
                c.changed = []

    def _records(self, c: _Collected, doc: Document) -> list[Record]:
        assert doc.graph is not None
        graph = normalise(doc.graph)
        records = split_records(graph, source=doc.url)
        if doc.extra_roots:
            roots = dict(record_roots(graph))
            for iri, _ in doc.extra_roots:
                roots.setdefault(URIRef(iri), "DataService")
            boundary = record_boundary(graph, roots)
            for iri, kind in doc.extra_roots:
                sub = Graph()
                for triple in closure_triples(graph, URIRef(iri), boundary - {URIRef(iri)}):
                    sub.add(triple)
                if c.node.kind == "beacon":
                    sub, missing = link_beacon_datasets(sub, self._datasets_by_identifier)
                    if missing:
                        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
                        c.report.warnings.append(
                            f"the Beacon {iri} serves {len(missing)} dataset(s) not in the "
                            f"catalogue (by dct:identifier): {shown}"
                        )
                records.append(Record(iri, sub, kind=kind, source=doc.url))
        if c.node.crosswalks:
            records = [
                Record(r.iri, apply_crosswalks(r.graph, c.node.crosswalks), r.kind, r.source)
                for r in records
            ]
        return records

    def _datasets_by_identifier(self, identifiers: Sequence[str]) -> Mapping[str, str]:
        if not identifiers:
            return {}
        values = " ".join(_string_literal(i) for i in identifiers)
        result = self.store.query(
            "SELECT ?id (MIN(STR(?d)) AS ?dataset) WHERE { "
            f"VALUES ?id {{ {values} }} GRAPH ?g {{ ?d <{DCTERMS.identifier}> ?lit }} "
            "FILTER(STR(?lit) = ?id) } GROUP BY ?id",
            union_default_graph=False,
        )
        return {
            row[0].value: row[1].value
            for row in result.rows
            if isinstance(row[0], ox.Literal) and isinstance(row[1], ox.Literal)
        }

    def _known(self, node: NodeConfig) -> _Known:
        sources = self.store.record_sources(node.id)
        every = {iri: entry.content_hash for iri, entry in sources.items()}
        published = {
            iri
            for iri, entry in sources.items()
            if is_published_source(self.store.base_iri, entry.source_url)
        }
        sources = {iri: entry for iri, entry in sources.items() if iri not in published}
        by_source: dict[str, list[str]] = {}
        for iri, entry in sources.items():
            by_source.setdefault(entry.source_url, []).append(iri)
        stale = {
            iri
            for iri, entry in sources.items()
            if entry.profile != node.profile
            or (entry.outcome == "violations" and node.policy == "reject")
        }
        hashes = {iri: e.content_hash for iri, e in sources.items()}
        return _Known(hashes, by_source, stale, published, records_digest(every))

    # -- per node: validate, write, withdraw (main thread) --------------------------------

    def _write_batch(
        self, c: _Collected, records: list[Record], run_iri: str, dry_run: bool
    ) -> None:
        """Validate a batch of changed records and write what may be stored."""
        node, report = c.node, c.report
        validations = self._validator(node.profile).validate_many(records)
        report.validations += len(records)
        writes: list[RecordWrite] = []
        failed: dict[str, str] = {}
        with record_lock(self.store):
            # who holds these datasets now, not when the crawl started: a steward may have
            # published one since, and another node's harvest may hold it
            holders = current_holders(self.store, [r.iri for r in records])
            for record, validation in zip(records, validations, strict=True):
                refusal = self._not_ours(node, holders.get(record.iri))
                if refusal is not None:
                    reason = Reason("(record)", f"not stored: {refusal}")
                    report.rejected.append(Rejection(record.iri, record.source, (reason,)))
                    continue
                write = self._decide(node, record, validation, run_iri, report, c.rejected_state)
                if write is not None:
                    writes.append(write)
            if writes and not dry_run:
                try:
                    self.store.put_records(writes, bulk=True)
                except RecordWriteError as e:
                    failed = e.failures
                except GdcatError as e:
                    failed = {w.dataset_iri: str(e) for w in writes}
        for w in writes:
            if w.dataset_iri in failed:
                message = f"{w.dataset_iri}: {failed[w.dataset_iri]}"
                report.failures.append(PageFailure(w.meta.source, "store", message))
                continue
            done = report.updated if w.dataset_iri in c.known.hashes else report.added
            done.append(w.dataset_iri)
            c.written.append(w.dataset_iri)
        c.failed_writes.update(failed)
        if not dry_run:
            report.writes += len(writes) - len(failed)

    def _finish(self, c: _Collected, run_iri: str, *, dry_run: bool, allow_shrink: bool) -> None:
        """After a node's crawl: rejections carried over, withdrawals, status, bookkeeping."""
        node, report = c.node, c.report
        report.unchanged = len(c.unchanged)
        c.rejected_state.update(c.carried_rejections)
        for iri, carried in c.carried_rejections.items():
            report.rejected.append(Rejection(iri, carried.source, carried.reasons, known=True))
        if c.failed_writes:
            report.partial(
                f"{len(c.failed_writes)} record(s) could not be written and keep their previous "
                "version; they are read again next run"
            )
        self._withdraw(c, dry_run=dry_run, allow_shrink=allow_shrink)
        crawl_failures = [f for f in report.failures if f.kind != "store"]
        if crawl_failures:
            if report.documents == 0:
                report.fail(
                    f"the node could not be read: {crawl_failures[0].url}: "
                    f"{crawl_failures[0].message}"
                )
            elif not report.kept:
                report.partial(
                    f"{len(crawl_failures)} page(s) could not be read (first: "
                    f"{crawl_failures[0].url}); nothing was withdrawn"
                )
        report.added.sort()
        report.updated.sort()
        report.rejected.sort(key=lambda r: r.dataset)
        if not dry_run:
            held = self._held(c)
            # the records written carry this run already (their catalogue records were
            # written with it)
            seen_unchanged = [iri for iri in c.unchanged if iri in c.known.hashes]
            try:
                self.store.mark_seen(seen_unchanged, run_iri)
                if not c.failed_writes:
                    state = NodeState(
                        c.state.pages,
                        c.rejected_state,
                        run_iri,
                        self._started.isoformat(),
                        c.state.documents,
                        held,
                    )
                    save_state(self.store, node.id, state)
            except GdcatError as e:
                report.partial(f"the run's bookkeeping could not be saved: {e}")
        report.seconds = time.monotonic() - c.started

    def _held(self, c: _Collected) -> HeldCounts | None:
        """The node's records by kind, for its report (``report.held``), and what to remember
        of them: a run that wrote and withdrew nothing holds the records it found at its start,
        so when their digest is the one the last count was made over, that count still holds;
        otherwise they are counted."""
        unchanged = not c.written and not c.report.withdrawn
        held = c.state.held
        if unchanged and held is not None and held.digest == c.known.digest:
            c.report.held = dict(held.counts)
            return held
        try:
            counts = count_record_kinds(self.store, c.node.id).to_json()
        except GdcatError as e:  # the report goes on without it
            c.report.warnings.append(f"the node's records could not be counted: {e}")
            return None
        c.report.held = counts
        return HeldCounts(c.known.digest, counts) if unchanged else None

    def _decide(
        self,
        node: NodeConfig,
        record: Record,
        validation: ValidationReport,
        run_iri: str,
        report: NodeReport,
        rejected_state: dict[str, RejectedRecord],
    ) -> RecordWrite | None:
        if validation.conforms:
            outcome = "warnings" if validation.results else "conforms"
        elif node.policy == "accept":
            outcome = "violations"
            report.accepted_with_violations.append(record.iri)
        else:
            reasons = tuple(
                Reason(r.path or r.property or "(record)", r.message, r.severity, r.hint)
                for r in validation.violations
            )
            report.rejected.append(Rejection(record.iri, record.source, reasons))
            rejected_state[record.iri] = RejectedRecord(
                record.content_hash, record.source, reasons, node.profile, node.policy
            )
            return None
        return RecordWrite(
            dataset_iri=record.iri,
            graph=record.graph,
            ntriples=record.ntriples,
            meta=RecordMeta(
                source=record.source,
                content_hash=record.content_hash,
                profile=node.profile,
                outcome=outcome,  # type: ignore[arg-type]
                node=node.id,
                country=node.country,
                run=run_iri,
            ),
        )

    def _withdraw(self, c: _Collected, *, dry_run: bool, allow_shrink: bool) -> None:
        report = c.report
        vanished = sorted(set(c.known.hashes) - c.seen)
        if not vanished:
            return
        before = len(c.known.hashes)
        if report.failures:
            report.kept = vanished
            report.partial(
                f"{len(report.failures)} page(s) could not be read (first: "
                f"{report.failures[0].url}), so the {len(vanished)} record(s) not seen this run "
                "were kept, not withdrawn"
            )
            return
        share = len(vanished) / before if before else 0.0
        if share > c.node.max_shrink and not allow_shrink:
            report.kept = vanished
            report.partial(
                f"the node shrank from {before} to {before - len(vanished)} records "
                f"(-{share:.0%}, over its limit of {c.node.max_shrink:.0%}); nothing was "
                f"withdrawn. If this is intended, run again allowing it "
                f"(gdcat harvest --allow-shrink {c.node.id})"
            )
            return
        with record_lock(self.store):
            holders = current_holders(self.store, vanished)
            for iri in vanished:
                holder = holders.get(iri)
                if holder is None or holder.withdrawn:
                    continue  # withdrawn meanwhile: nothing to do
                refusal = self._not_ours(c.node, holder)
                if holder.node is None:
                    refusal = "the operator loaded it since (it belongs to no node now)"
                if refusal is not None:
                    report.kept.append(iri)
                    report.warnings.append(
                        f"{iri} is no longer in the node's catalogue but was not withdrawn: "
                        f"{refusal}"
                    )
                    continue
                if dry_run:
                    report.withdrawn.append(iri)
                    continue
                try:
                    if self.store.withdraw(iri):
                        report.withdrawn.append(iri)
                except GdcatError as e:
                    report.partial(f"{iri} could not be withdrawn: {e}")

    def _not_ours(self, node: NodeConfig, holder: Holder | None) -> str | None:
        """Why ``node``'s harvest may not write or withdraw a dataset whose catalogue record
        is ``holder`` (None if it may): another node holds it, live or withdrawn (as for
        publishing: only its node may write it again), or the node's stewards published it
        over the API (a withdrawn one goes back to the harvest). A record of no node (loaded
        by the operator from files) may be replaced, as before."""
        if holder is None or holder.node is None:
            return None
        published = is_published_source(self.store.base_iri, holder.source)
        if holder.node != node.id:
            how = "published over the API by" if published else "held by"
            state = (
                " (withdrawn, and only that node may write it again)" if holder.withdrawn else ""
            )
            return (
                f"{how} node {holder.node}{state}; a node's harvest never writes another's record"
            )
        if published and not holder.withdrawn:
            return (
                f"published over the API by node {node.id}; the harvest keeps the stewards' "
                "version (they withdraw it to hand it back to the harvest)"
            )
        return None

    # -- helpers --------------------------------------------------------------------------

    def _validator(self, profile: str) -> Validator:
        with self._lock:
            validator = self._validators.get(profile)
            if validator is None:
                validator = Validator(
                    profile,
                    workers=self.settings.validation_workers,
                    batch_size=self.settings.validation_batch_size,
                )
                self._validators[profile] = validator
            return validator

    def _save_report(self, report: RunReport) -> None:
        try:
            self.store.put_graph(self.store.provenance_graph, report.summary_graph(), replace=False)
            self.store.put_graph(report.run, report.detail_graph())
        except GdcatError as e:
            for node in report.nodes:
                node.partial(f"the run report could not be stored: {e}")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if not isinstance(error, GdcatError) else str(error)


def _string_literal(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _nothing_found(node: NodeConfig, documents: int) -> str:
    """The warning of a node read without failure that yielded no record."""
    read = f"{documents} document(s) read, none" if documents else "no document found, so none"
    hint = {
        "fdp": "a FAIR Data Point root links its catalogues with fdp:metadataCatalog, "
        "r3d:dataCatalog, dcat:catalog or ldp:contains",
        "sparql": "the endpoint's graphs hold no dcat:Dataset, dcat:DatasetSeries or "
        "dcat:DataService",
    }.get(node.kind, "the pages hold no dcat:Dataset, dcat:DatasetSeries or dcat:DataService")
    return (
        f"the node yielded no record ({read} describing a dataset, series or data service); "
        f"check its kind ({node.kind}) and URL ({node.url}): {hint}"
    )
