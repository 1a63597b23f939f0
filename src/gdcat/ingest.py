"""From files to validated records, and from validated records into the store.

The steps every entry point shares (``gdcat validate``, ``gdcat load``, ``gdcat demo``, later
publishing and harvesting): parse safely, split into records, validate in batches, and write
only what conforms, through the store's one record-writing mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from gdcat.errors import InputError, SourceLocation
from gdcat.rdf import Record, parse_paths, split_records
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits
from gdcat.rdf.records import describes_resources, not_metadata_error, rest_of_document
from gdcat.store import RecordMeta, RecordWrite, RecordWriteError, Store
from gdcat.validate import ValidationReport, Validator


@dataclass
class Checked:
    """A record with its validation report."""

    record: Record
    report: ValidationReport

    @property
    def conforms(self) -> bool:
        return self.report.conforms


@dataclass
class CheckOutcome:
    """What validating a set of files found."""

    checked: list[Checked] = field(default_factory=list)
    unusable: list[InputError] = field(default_factory=list)
    files: int = 0

    @property
    def conforming(self) -> list[Checked]:
        return [c for c in self.checked if c.conforms]

    @property
    def failing(self) -> list[Checked]:
        return [c for c in self.checked if not c.conforms]

    @property
    def reports(self) -> list[ValidationReport]:
        return [c.report for c in self.checked]

    @property
    def records(self) -> list[Checked]:
        """The datasets and series checked (not the rest of the documents)."""
        return [c for c in self.checked if c.record.kind != "Document"]

    @property
    def failing_records(self) -> list[Checked]:
        return [c for c in self.records if not c.conforms]

    @property
    def failing_rest(self) -> list[Checked]:
        """Documents whose catalogues, data services or agents have violations."""
        return [c for c in self.checked if c.record.kind == "Document" and not c.conforms]


def records_from_paths(
    paths: Iterable[Path], *, max_bytes: int, limits: ParseLimits = DEFAULT_LIMITS
) -> tuple[list[Record], list[InputError], int]:
    """Every record in the files below ``paths``, the files that could not be used, and how
    many files were read.

    Besides its datasets and series, each file gives the rest of what it describes
    (catalogues, data services, distributions no dataset reaches, their agents...) as a
    record of kind ``"Document"``: it is validated like the others and never stored. A file
    that describes no dataset, series, catalogue, data service or distribution is unusable
    input, with a message saying what it holds instead.

    A dataset described identically in several files (a steward's YAML beside the Turtle made
    from it) is one record; described differently, it is refused as conflicting input, since
    gdcat cannot tell which description is meant.
    """
    records: dict[str, Record] = {}
    conflicts: dict[str, list[str]] = {}
    unusable: list[InputError] = []
    files = 0
    for path, outcome in parse_paths(paths, max_bytes=max_bytes, limits=limits):
        files += 1
        if isinstance(outcome, InputError):
            unusable.append(outcome)
            continue
        try:
            found = records_of_document(outcome, str(path), path.resolve().as_uri())
        except InputError as e:
            unusable.append(e)
            continue
        for record in found:
            known = records.get(record.iri)
            if known is None:
                records[record.iri] = record
            elif known.content_hash != record.content_hash:
                conflicts.setdefault(record.iri, [known.source]).append(record.source)
    for iri, sources in conflicts.items():
        del records[iri]
        unusable.append(
            InputError(
                f"dataset {iri} is described differently in {', '.join(sources)}; "
                "keep one description",
                SourceLocation(sources[-1]),
            )
        )
    return list(records.values()), unusable, files


def records_of_document(graph: Graph, source: str, document_iri: str) -> list[Record]:
    """The records of one parsed document, and what no record holds (its catalogues, data
    services, their agents) as one more record of kind ``Document`` named ``document_iri``,
    so that it is checked too. :class:`InputError` when the document describes no DCAT
    resource at all, saying what it holds instead."""
    if not describes_resources(graph):
        raise not_metadata_error(graph, source)
    found = split_records(graph, source=source)
    rest = rest_of_document(graph, found)
    if len(rest):
        found.append(Record(document_iri, rest, kind="Document", source=source))
    return found


def check_records(records: Sequence[Record], validator: Validator) -> list[Checked]:
    """Validate records in batches (the validator spreads them over worker processes)."""
    reports = validator.validate_many([r.graph for r in records])
    return [
        Checked(record, located(record, report))
        for record, report in zip(records, reports, strict=True)
    ]


def located(record: Record, report: ValidationReport) -> ValidationReport:
    """``report`` with each result placed where ``record`` was written, when the document
    has rows (a spreadsheet's row and column); as it was otherwise."""
    origin = record.origin
    if origin is None:
        return report
    return report.located(lambda r: origin.locate(r.path))


def check_paths(
    paths: Iterable[Path],
    validator: Validator,
    *,
    max_bytes: int,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> CheckOutcome:
    records, unusable, files = records_from_paths(paths, max_bytes=max_bytes, limits=limits)
    return CheckOutcome(check_records(records, validator), unusable, files)


@dataclass
class StoreOutcome:
    """Which records were written, and which the store refused (with its reason)."""

    written: list[str]
    failures: dict[str, str]


def store_conforming(
    checked: Sequence[Checked], store: Store, *, profile: str, bulk: bool = False
) -> StoreOutcome:
    """Write every conforming dataset record. A record the store refuses keeps its previous
    version and is reported; the others are written."""
    writes = [
        RecordWrite(
            dataset_iri=c.record.iri,
            graph=c.record.graph,
            meta=RecordMeta(
                source=c.record.source,
                content_hash=c.record.content_hash,
                profile=profile,
                outcome="warnings" if c.report.results else "conforms",
            ),
        )
        for c in checked
        if c.conforms and c.record.kind != "Document"
    ]
    try:
        store.put_records(writes, bulk=bulk)
    except RecordWriteError as e:
        return StoreOutcome(e.written, e.failures)
    return StoreOutcome([w.dataset_iri for w in writes], {})
