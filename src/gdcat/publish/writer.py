"""Writing and withdrawing a steward's record: parse, check, validate, store, audit.

A published record goes through the store's one record-writing mechanism
(:meth:`~gdcat.store.Store.put_records`), like a harvested one. Its catalogue record tells the
two apart: its ``gdcat:sourceUrl`` is the API resource it was written to,
``{base}api/nodes/{node}/datasets?iri=<dataset IRI>`` (see :func:`published_source`); a harvest
of the node neither overwrites nor withdraws such a record.

The rules, in the order they are checked:

1. the steward's token belongs to the node named (else *forbidden*);
2. the dataset IRI is an absolute http(s) IRI, not under gdcat's own base IRI;
3. no other node holds that IRI, live or withdrawn (else *forbidden*);
4. the body parses (size limit, no network access) and describes exactly that dataset;
5. what would be stored describes no resource under gdcat's own base IRI (its catalogue
   records, graphs, audit entries…) and no dataset another record is about (else *unusable*):
   the SPARQL endpoint shows every record's triples together, so such statements would read
   as gdcat's, or as that dataset's own;
6. it validates against the node's profile (the registry's, else the default) without a
   violation (else *refused*, with the report; nothing is stored).

The check of who holds the IRI and the write happen under the store's record lock
(:func:`~gdcat.harvest.pipeline.record_lock`), which a harvest takes too before it writes or
withdraws a node's records. Every attempt, whatever its outcome, is added to the audit trail,
an unexpected failure included (as *failed*, 500).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import pyoxigraph as ox
from rdflib import Graph, URIRef

from gdcat.errors import (
    GdcatError,
    InputError,
    PayloadTooLargeError,
    RecordNotFoundError,
    SourceLocation,
    StoreError,
    UnsupportedFormatError,
)
from gdcat.harvest.pipeline import Holder, current_holders, record_lock
from gdcat.harvest.registry import NodeConfig, load_registry
from gdcat.ingest import located
from gdcat.publish.audit import Action, AuditEntry, AuditTrail, Outcome
from gdcat.publish.auth import Caller
from gdcat.rdf import Record, format_for_media_type, parse_bytes, split_records
from gdcat.rdf.parse import ParseLimits
from gdcat.settings import Settings
from gdcat.store import CatalogRecord, RecordMeta, RecordWrite, Store, record_iri
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.store.records import RecordWriteError, published_source
from gdcat.validate import ValidationReport, ValidationResult, Validator

_log = logging.getLogger(__name__)

T = TypeVar("T")

#: Longest dataset IRI accepted.
MAX_IRI_LENGTH = 2048

_UCS = r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"  # the characters IRIs add to URIs
_CHAR = rf"-A-Za-z0-9._~:@!$&'()*+,;={_UCS}"
_PCT = r"%[0-9A-Fa-f]{2}"
#: What a dataset IRI published over the API looks like: an absolute http(s) IRI (a steward's
#: dataset must be dereferenceable). Also the ``iri`` parameter's pattern in the OpenAPI
#: document.
DATASET_IRI = (
    rf"^https?://[-A-Za-z0-9.{_UCS}]+(:[0-9]{{1,5}})?"
    rf"(/([{_CHAR}/]|{_PCT})*)?"
    rf"(\?([{_CHAR}/?]|{_PCT})*)?"
    rf"(#([{_CHAR}/?]|{_PCT})*)?$"
)
_DATASET_IRI = re.compile(DATASET_IRI)


class NotOwnerError(GdcatError):
    """The steward's node may not write this record or node (HTTP 403)."""


class RecordRefusedError(GdcatError):
    """The record has violations of its profile; nothing was stored (HTTP 422)."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        shown = "; ".join(f"{v.path or '(record)'}: {v.message}" for v in report.violations[:5])
        more = len(report.violations) - 5
        super().__init__(
            f"{len(report.violations)} violation(s) of profile {report.profile}: {shown}"
            + (f" (and {more} more)" if more > 0 else "")
        )


class DocumentMismatchError(InputError):
    """The body does not describe exactly the dataset named (HTTP 400)."""


@dataclass(frozen=True)
class RecordRefusal:
    """Why one record of a document was refused (see :class:`DocumentRefusedError`)."""

    dataset: str
    #: where the record was written: the file, and a spreadsheet's sheet and row
    location: SourceLocation
    outcome: Outcome
    status: int
    reason: str
    #: the validation report, when the record was validated (violations or not)
    report: ValidationReport | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "location": self.location.to_json(),
            "outcome": self.outcome,
            "status": self.status,
            "reason": self.reason,
            "report": self.report.to_json() if self.report is not None else None,
        }


class DocumentRefusedError(GdcatError):
    """Records of a document were refused, so none of them was stored (HTTP 422, or 403 when
    every refusal is another node's record). ``refusals`` names each refused record, where it
    was written and why, with its validation report."""

    def __init__(self, refusals: list[RecordRefusal], records: int) -> None:
        self.refusals = refusals
        self.records = records
        shown = "; ".join(f"{r.location} ({r.dataset}): {r.reason}" for r in refusals[:3])
        more = f" (and {len(refusals) - 3} more)" if len(refusals) > 3 else ""
        super().__init__(
            f"{len(refusals)} of the {records} record(s) of the document refused, so none was "
            f"stored: {shown}{more}"
        )

    @property
    def status(self) -> int:
        """403 when every refusal is another node's record, else 422."""
        return 403 if all(r.outcome == "forbidden" for r in self.refusals) else 422


@dataclass(frozen=True)
class Published:
    """A record accepted and stored."""

    dataset: str
    node: str
    status: Literal["created", "replaced"]
    record: str
    profile: str
    outcome: Literal["conforms", "warnings"]
    warnings: list[ValidationResult]
    #: triples of the body that were not about the dataset (a catalogue around it…), not stored
    ignored_triples: int
    audit: AuditEntry

    @property
    def key(self) -> str:
        """The record key: the last segment of the catalogue record IRI."""
        return self.record.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class NodeRules:
    """How a node's records are validated and described."""

    profile: str
    country: str | None = None


def check_dataset_iri(value: str, base_iri: str | None = None) -> str:
    """``value`` if a steward may name a dataset with it (an http(s) IRI, not under
    ``base_iri`` when given), else :class:`InputError`."""
    if not value or len(value) > MAX_IRI_LENGTH:
        raise InputError(f"the dataset IRI must have 1 to {MAX_IRI_LENGTH} characters")
    try:
        if not _DATASET_IRI.match(value):
            raise ValueError(value)
        QuadWriter().iri(value)
        ox.NamedNode(value)
    except (UnwritableTermError, ValueError):
        raise InputError(f"not an absolute http(s) IRI: {value[:200]!r}") from None
    if base_iri is not None and value.startswith(base_iri):
        raise InputError(
            f"{value} is under gdcat's own base IRI {base_iri}; datasets keep the IRIs their "
            "node mints"
        )
    return value


class Publisher:
    """Writes and withdraws stewards' records in one store; one per application."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.audit = AuditTrail(store)
        self._validators: dict[str, tuple[Validator, threading.Lock]] = {}
        self._validators_lock = threading.Lock()
        self._registry: tuple[tuple[int, int], dict[str, NodeConfig]] | None = None

    def close(self) -> None:
        with self._validators_lock:
            for validator, _ in self._validators.values():
                validator.close()
            self._validators.clear()

    # -- the two writes -------------------------------------------------------------------

    def put(
        self,
        caller: Caller,
        node: str,
        dataset: str,
        body: bytes,
        media_type: str | None,
    ) -> Published:
        """Create or replace ``dataset`` of ``node`` from ``body`` (of ``media_type``)."""
        return self._audited(
            caller, "put", dataset, lambda: self._put(caller, node, dataset, body, media_type)
        )

    def put_document(
        self, caller: Caller, node: str, body: bytes, media_type: str | None
    ) -> list[Published]:
        """Create or replace every dataset (and series) ``body`` describes, all or none.

        Each record is checked as :meth:`put` checks one (IRI, holder, what it describes,
        the node's profile); if any is refused, none is stored and
        :class:`DocumentRefusedError` names each refused record with where it was written (a
        spreadsheet's row) and its report. Every record's attempt is in the audit trail; a
        document that cannot be read at all is one attempt without a dataset.
        """
        try:
            steward = self._steward_of(caller, node)
            records, ignored = self._document_records(steward, body, media_type)
        except GdcatError as e:
            outcome, status = outcome_of(e)
            self._record(caller, "put", outcome, status, None, e.public_message)
            raise
        except Exception as e:
            _log.exception("a document of %s by %s failed unexpectedly", node, caller.label)
            reason = f"an unexpected error occurred ({type(e).__name__}); see the server log"
            self._record(caller, "put", "failed", 500, None, reason)
            raise
        try:
            return self._put_records(caller, steward, records, ignored)
        except DocumentRefusedError as e:
            self._audit_refusals(caller, records, e)
            raise
        except GdcatError as e:
            outcome, status = outcome_of(e)
            for record in records:
                self._record(caller, "put", outcome, status, record.iri, e.public_message)
            raise
        except Exception as e:
            _log.exception("a document of %s by %s failed unexpectedly", node, caller.label)
            reason = f"an unexpected error occurred ({type(e).__name__}); see the server log"
            for record in records:
                self._record(caller, "put", "failed", 500, record.iri, reason)
            raise

    def delete(self, caller: Caller, node: str, dataset: str) -> AuditEntry:
        """Withdraw ``dataset`` of ``node`` (its catalogue record stays as a tombstone)."""
        return self._audited(caller, "delete", dataset, lambda: self._delete(caller, node, dataset))

    def refused(
        self, caller: Caller, action: Action, dataset: str | None, error: GdcatError
    ) -> None:
        """Audit an attempt refused before it reached the publisher (a body over the limit)."""
        outcome, status = outcome_of(error)
        self._record(caller, action, outcome, status, dataset, error.public_message)

    # -- steps ----------------------------------------------------------------------------

    def _put(
        self, caller: Caller, node: str, dataset: str, body: bytes, media_type: str | None
    ) -> Published:
        steward = self._steward_of(caller, node)
        iri = check_dataset_iri(dataset, self.store.base_iri)
        self._check_owner(self.store.catalog_record(iri), steward, iri)
        if not media_type:
            raise UnsupportedFormatError(
                "the request has no Content-Type; send text/turtle, application/ld+json, "
                "application/rdf+xml, application/n-triples or application/yaml"
            )
        rdf_format = format_for_media_type(media_type)
        graph = parse_bytes(
            body,
            rdf_format,
            source="request body",
            base_iri=iri,
            max_bytes=self.settings.max_document_bytes,
            limits=ParseLimits.from_settings(self.settings),
        )
        record, ignored = _the_record(graph, iri, self.store)
        rules = self.rules_for(steward)
        report = self._validate(rules.profile, record.graph)
        if not report.conforms:
            raise RecordRefusedError(report)
        outcome: Literal["conforms", "warnings"] = "warnings" if report.results else "conforms"
        meta = RecordMeta(
            source=published_source(self.store.base_iri, steward, iri),
            content_hash=record.content_hash,
            profile=rules.profile,
            outcome=outcome,
            node=steward,
            country=caller.country or rules.country,
        )
        with record_lock(self.store):
            existing = self.store.catalog_record(iri)
            self._check_owner(existing, steward, iri)
            self.store.put_records([RecordWrite(iri, record.graph, meta)])
        status: Literal["created", "replaced"] = (
            "replaced" if existing is not None and not existing.withdrawn else "created"
        )
        entry = self._record(caller, "put", status, 201 if status == "created" else 200, iri)
        return Published(
            dataset=iri,
            node=steward,
            status=status,
            record=record_iri(self.store.base_iri, iri),
            profile=rules.profile,
            outcome=outcome,
            warnings=list(report.results),
            ignored_triples=ignored,
            audit=entry,
        )

    def _document_records(
        self, steward: str, body: bytes, media_type: str | None
    ) -> tuple[list[Record], int]:
        """The records of a document (and how many of its triples are about none of them)."""
        if not media_type:
            raise UnsupportedFormatError(
                "the request has no Content-Type; send text/turtle, application/ld+json, "
                "application/rdf+xml, application/n-triples, application/yaml, text/csv or "
                "an XLSX spreadsheet"
            )
        rdf_format = format_for_media_type(media_type)
        graph = parse_bytes(
            body,
            rdf_format,
            source="request body",
            base_iri=f"{self.store.base_iri}api/nodes/{steward}/datasets",
            max_bytes=self.settings.max_document_bytes,
            limits=ParseLimits.from_settings(self.settings),
        )
        records = split_records(graph, source="request body")
        if not records:
            raise DocumentMismatchError(
                "the body describes no dcat:Dataset or dcat:DatasetSeries: nothing to publish"
            )
        kept = sum(len(r.graph) for r in records)
        return records, max(0, len(graph) - kept)

    def _put_records(
        self, caller: Caller, steward: str, records: list[Record], ignored: int
    ) -> list[Published]:
        refusals: dict[str, RecordRefusal] = {}

        def refuse(record: Record, error: GdcatError, report: ValidationReport | None) -> None:
            outcome, status = outcome_of(error)
            refusals.setdefault(
                record.iri,
                RecordRefusal(record.iri, record.locate(), outcome, status, str(error), report),
            )

        usable: list[Record] = []
        for record in records:
            try:
                check_dataset_iri(record.iri, self.store.base_iri)
                _check_subjects(record, self.store)
            except GdcatError as e:
                refuse(record, e, None)
                continue
            usable.append(record)
        self._check_holders(steward, usable, refuse)
        rules = self.rules_for(steward)
        reports = self._validate_many(rules.profile, [r.graph for r in usable])
        checked: list[tuple[Record, ValidationReport]] = []
        for record, raw in zip(usable, reports, strict=True):
            report = located(record, raw)
            if not report.conforms:
                refuse(record, RecordRefusedError(report), report)
            checked.append((record, report))
        if refusals:
            raise DocumentRefusedError(
                [refusals[r.iri] for r in records if r.iri in refusals], len(records)
            )
        writes = [
            RecordWrite(
                record.iri,
                record.graph,
                RecordMeta(
                    source=published_source(self.store.base_iri, steward, record.iri),
                    content_hash=record.content_hash,
                    profile=rules.profile,
                    outcome="warnings" if report.results else "conforms",
                    node=steward,
                    country=caller.country or rules.country,
                ),
            )
            for record, report in checked
        ]
        with record_lock(self.store):
            before = self._check_holders(steward, usable, refuse)
            if refusals:
                raise DocumentRefusedError(list(refusals.values()), len(records))
            try:
                self.store.put_records(writes, atomic=True)
            except RecordWriteError as e:
                raise StoreError(f"the store wrote none of the document's records: {e}") from e
        published: list[Published] = []
        for index, (record, report) in enumerate(checked):
            held = before.get(record.iri)
            status: Literal["created", "replaced"] = (
                "replaced" if held is not None and not held.withdrawn else "created"
            )
            entry = self._record(
                caller, "put", status, 201 if status == "created" else 200, record.iri
            )
            published.append(
                Published(
                    dataset=record.iri,
                    node=steward,
                    status=status,
                    record=record_iri(self.store.base_iri, record.iri),
                    profile=rules.profile,
                    outcome="warnings" if report.results else "conforms",
                    warnings=list(report.results),
                    ignored_triples=ignored if index == 0 else 0,
                    audit=entry,
                )
            )
        return published

    def _check_holders(
        self,
        steward: str,
        records: list[Record],
        refuse: Callable[[Record, GdcatError, ValidationReport | None], None],
    ) -> dict[str, Holder]:
        """Who holds each record's dataset now; a record another node (or the operator)
        holds, live or withdrawn, is refused as :meth:`_check_owner` refuses one."""
        holders = current_holders(self.store, [r.iri for r in records])
        for record in records:
            held = holders.get(record.iri)
            if held is None or held.node == steward:
                continue
            holder = f"node {held.node}" if held.node else "no node (the operator)"
            state = "a withdrawn record" if held.withdrawn else "a record"
            refuse(
                record,
                NotOwnerError(
                    f"{record.iri} is {state} held by {holder}; node {steward} may not write it"
                ),
                None,
            )
        return holders

    def _audit_refusals(
        self, caller: Caller, records: list[Record], error: DocumentRefusedError
    ) -> None:
        """One audit entry per record of a refused document: its own refusal, or that the
        document was refused for the others."""
        refused = {r.dataset: r for r in error.refusals}
        others = f"not stored: {len(refused)} other record(s) of the same document were refused"
        for record in records:
            refusal = refused.get(record.iri)
            if refusal is not None:
                reason = f"{refusal.location}: {refusal.reason}"
                self._record(caller, "put", refusal.outcome, refusal.status, record.iri, reason)
            else:
                self._record(caller, "put", "refused", error.status, record.iri, others)

    def _delete(self, caller: Caller, node: str, dataset: str) -> AuditEntry:
        steward = self._steward_of(caller, node)
        iri = check_dataset_iri(dataset)  # under gdcat's base: no record, so 404 below
        with record_lock(self.store):
            existing = self.store.catalog_record(iri)
            if existing is None or existing.withdrawn:
                raise RecordNotFoundError(f"no live record of {iri} in the catalogue")
            self._check_owner(existing, steward, iri)
            if not self.store.withdraw(iri):
                raise RecordNotFoundError(f"no live record of {iri} in the catalogue")
        return self._record(caller, "delete", "withdrawn", 204, iri)

    def _steward_of(self, caller: Caller, node: str) -> str:
        if caller.role != "steward" or caller.node is None:
            raise NotOwnerError("publishing needs a steward token of the node")
        if caller.node != node:
            raise NotOwnerError(
                f"the token {caller.token_id} is for node {caller.node}, not node {node}"
            )
        return caller.node

    @staticmethod
    def _check_owner(existing: CatalogRecord | None, node: str, iri: str) -> None:
        """Only the node holding a record (live or withdrawn) may write it again."""
        if existing is None or existing.meta.node == node:
            return
        holder = f"node {existing.meta.node}" if existing.meta.node else "no node (the operator)"
        state = "a withdrawn record" if existing.withdrawn else "a record"
        raise NotOwnerError(f"{iri} is {state} held by {holder}; node {node} may not write it")

    def rules_for(self, node: str) -> NodeRules:
        """The node's profile and country from the registry file, else the defaults."""
        entry = self._registry_nodes().get(node)
        if entry is None:
            return NodeRules(self.settings.default_profile)
        return NodeRules(entry.profile, entry.country)

    def _registry_nodes(self) -> dict[str, NodeConfig]:
        path: Path | None = self.settings.registry_file
        if path is None:
            return {}
        try:
            stat = path.stat()
        except OSError as e:
            _log.error("the node registry %s cannot be read: %s", path, e.strerror)
            raise GdcatError("the node registry cannot be read; see the server log") from e
        signature = (stat.st_mtime_ns, stat.st_size)
        cached = self._registry
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            nodes = {n.id: n for n in load_registry(path)}
        except InputError as e:  # the operator's file, not the steward's request
            _log.error("the node registry cannot be used: %s", e)
            raise GdcatError("the node registry cannot be read; see the server log") from e
        self._registry = (signature, nodes)
        return nodes

    def _validate_many(self, profile: str, graphs: list[Graph]) -> list[ValidationReport]:
        if not graphs:
            return []
        validator, lock = self._validator(profile)
        with lock:
            return validator.validate_many(graphs)

    def _validator(self, profile: str) -> tuple[Validator, threading.Lock]:
        with self._validators_lock:
            pair = self._validators.get(profile)
            if pair is None:
                pair = (Validator(profile, settings=self.settings, workers=1), threading.Lock())
                self._validators[profile] = pair
        return pair

    def _validate(self, profile: str, graph: Graph) -> ValidationReport:
        with self._validators_lock:
            pair = self._validators.get(profile)
            if pair is None:
                pair = (Validator(profile, settings=self.settings, workers=1), threading.Lock())
                self._validators[profile] = pair
        validator, lock = pair
        with lock:  # one validation at a time per validator (pySHACL state is not shared-safe)
            return validator.validate(graph)

    # -- auditing -------------------------------------------------------------------------

    def _audited(self, caller: Caller, action: Action, dataset: str, step: Callable[[], T]) -> T:
        try:
            return step()
        except GdcatError as e:
            outcome, status = outcome_of(e)
            # the trail is public: it keeps what a client may read (no server paths)
            self._record(caller, action, outcome, status, dataset, e.public_message)
            raise
        except Exception as e:
            # a bug or an unforeseen failure (in parsing, validation…): the attempt is still
            # audited; the trail is public, so it names the kind of error, the log the rest
            _log.exception("%s of %s by %s failed unexpectedly", action, dataset, caller.label)
            reason = f"an unexpected error occurred ({type(e).__name__}); see the server log"
            self._record(caller, action, "failed", 500, dataset, reason)
            raise

    def _record(
        self,
        caller: Caller,
        action: Action,
        outcome: Outcome,
        status: int,
        dataset: str | None,
        reason: str | None = None,
    ) -> AuditEntry:
        try:
            return self.audit.record(
                node=caller.node or "(admin)",
                token_id=caller.token_id or "admin",
                action=action,
                outcome=outcome,
                status=status,
                dataset=dataset,
                reason=reason,
            )
        except StoreError:
            # the write itself is done (or refused); losing its trace must be loud
            _log.exception(
                "could not audit %s %s by %s (%s)", action, dataset, caller.label, outcome
            )
            raise


def outcome_of(error: GdcatError) -> tuple[Outcome, int]:
    """The audit outcome and HTTP status of a failed attempt."""
    if isinstance(error, NotOwnerError):
        return "forbidden", 403
    if isinstance(error, RecordRefusedError):
        return "refused", 422
    if isinstance(error, DocumentRefusedError):
        return ("forbidden" if error.status == 403 else "refused"), error.status
    if isinstance(error, RecordNotFoundError):
        return "not-found", 404
    if isinstance(error, PayloadTooLargeError):
        return "unusable", 413
    if isinstance(error, UnsupportedFormatError):
        return "unusable", 415
    if isinstance(error, InputError):
        return "unusable", 400
    if isinstance(error, StoreError):
        return "failed", 503
    return "failed", 500


def _the_record(graph: Graph, iri: str, store: Store) -> tuple[Record, int]:
    """The one record of ``graph``, which must be ``iri``, describing nothing gdcat or another
    record speaks for (see :func:`_check_subjects`); and how many triples were left."""
    records = split_records(graph, source="request body")
    if not records:
        raise DocumentMismatchError(
            f"the body describes no dcat:Dataset or dcat:DatasetSeries; it must describe {iri}"
        )
    others = [r.iri for r in records if r.iri != iri]
    if others:
        shown = ", ".join(others[:3]) + (" …" if len(others) > 3 else "")
        raise DocumentMismatchError(
            f"the body must describe exactly the dataset {iri}; it also (or only) describes "
            f"{shown}: publish each dataset at its own IRI"
        )
    record = records[0]
    _check_subjects(record, store)
    return record, len(graph) - len(record.graph)


def _check_subjects(record: Record, store: Store) -> None:
    """Refuse a record that says things about gdcat's own IRIs (its catalogue records,
    graphs, audit entries…) or about a dataset another record is about: the SPARQL endpoint's
    default graph is the union of every graph, so such statements would read as gdcat's, or
    as that dataset's own."""
    base = store.base_iri
    subjects = sorted({str(s) for s in record.graph.subjects() if isinstance(s, URIRef)})
    ours = [s for s in subjects if s.startswith(base)]
    if ours:
        raise DocumentMismatchError(
            f"the body describes {_shown(ours)}, under gdcat's own base IRI {base}: only gdcat "
            "says things about its IRIs; link to them if needed, but do not describe them"
        )
    others = [s for s in subjects if s != record.iri]
    if not others:
        return
    taken = sorted(current_holders(store, others))
    if taken:
        raise DocumentMismatchError(
            f"the body describes {_shown(taken)}, which the catalogue holds a record of: a "
            f"record describes its own dataset ({record.iri}) only; link to other datasets, "
            "but do not describe them"
        )


def _shown(iris: list[str]) -> str:
    return ", ".join(iris[:3]) + (f" (and {len(iris) - 3} more)" if len(iris) > 3 else "")
