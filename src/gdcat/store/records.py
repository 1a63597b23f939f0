"""What the store keeps about a record besides its triples: the ``dcat:CatalogRecord``.

Every stored dataset has a named graph whose name is its catalogue record's IRI
(``{base}record/{sha256(dataset IRI)[:24]}``) and, in the provenance graph
(``{base}graph/provenance``), a ``dcat:CatalogRecord`` saying where the record came from and
what gdcat made of it:

| property | value |
|---|---|
| ``foaf:primaryTopic`` | the dataset IRI |
| ``dct:issued`` | first seen (``xsd:dateTime``), kept when the record is replaced or withdrawn |
| ``dct:modified`` | last written or withdrawn (``xsd:dateTime``) |
| ``adms:status`` | ADMS change type: ``created``, ``updated`` or ``deleted`` (withdrawn) |
| ``dct:conformsTo`` | the application profile's IRI, when the writer names one |
| ``gdcat:sourceUrl`` | where the record was read from (``xsd:anyURI``: URL or file path) |
| ``gdcat:sourceNode`` | the harvested node's name, when known |
| ``gdcat:sourceCountry`` | the node's country (EU country authority IRI), when known |
| ``gdcat:contentHash`` | the writer's hash of the record's triples (incremental harvest) |
| ``gdcat:validationProfile`` | the validation profile's name (``gdcat``, ``gdi``…) |
| ``gdcat:validationOutcome`` | ``conforms``, ``warnings``, or ``violations`` (accepted by policy) |
| ``prov:wasGeneratedBy`` | the harvest run (``prov:Activity``) that wrote this version, if any |
| ``gdcat:lastHarvestRun`` | the last harvest run that saw the record, changed or not |

A withdrawn record keeps its catalogue record as a tombstone (status ``deleted``, ``dct:modified``
the withdrawal time, the last metadata kept) so that a change feed can announce deletions.
``dct:source`` is not used: DCAT-AP gives it a ``dcat:CatalogRecord`` range, not a URL.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, NamedTuple, get_args
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph

from gdcat.errors import StoreError
from gdcat.store.results import Term
from gdcat.vocab import ADMS, COUNTRY, GDCAT

#: What validation concluded about a stored record. Records with violations are stored only
#: from a node whose policy accepts them ("violations").
Outcome = Literal["conforms", "warnings", "violations"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

#: ADMS change type vocabulary, used by DCAT-AP for ``adms:status`` of a catalogue record.
_log = logging.getLogger(__name__)

CHANGE_TYPE = "http://purl.org/adms/changetype/"

# Provenance predicates gdcat defines (the rest are DCAT, DCTERMS, FOAF, ADMS terms).
SOURCE_URL = str(GDCAT.sourceUrl)
SOURCE_NODE = str(GDCAT.sourceNode)
SOURCE_COUNTRY = str(GDCAT.sourceCountry)
CONTENT_HASH = str(GDCAT.contentHash)
VALIDATION_PROFILE = str(GDCAT.validationProfile)
VALIDATION_OUTCOME = str(GDCAT.validationOutcome)
LAST_HARVEST_RUN = str(GDCAT.lastHarvestRun)
WAS_GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy"
ADMS_STATUS = str(ADMS.status)

_COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")


class RecordStatus(StrEnum):
    """The change type of a catalogue record: its last write created, updated or withdrew it."""

    CREATED = "created"
    UPDATED = "updated"
    WITHDRAWN = "deleted"

    @property
    def iri(self) -> str:
        return CHANGE_TYPE + self.value

    @classmethod
    def from_iri(cls, iri: str) -> RecordStatus:
        if not iri.startswith(CHANGE_TYPE):
            raise StoreError(f"unknown catalogue record status {iri!r}")
        return cls(iri[len(CHANGE_TYPE) :])


@dataclass(frozen=True)
class RecordMeta:
    """What the writer knows about a record: where it came from and how it validated."""

    source: str
    content_hash: str
    profile: str
    outcome: Outcome
    #: the name of the node it was harvested from
    node: str | None = None
    #: the node's country: an ISO 3166-1 alpha-3 code (``"ESP"``) or an EU country IRI
    country: str | None = None
    #: IRI of the application profile the record conforms to (``dct:conformsTo``)
    conforms_to: str | None = None
    #: IRI of the harvest run (``prov:Activity``) writing the record
    run: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise StoreError(
                f"validation outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}"
            )
        if self.country is not None:
            object.__setattr__(self, "country", country_iri(self.country))


class RecordSource(NamedTuple):
    """What a harvest diffs a record against: its hash, where it was read, how it validated."""

    content_hash: str
    source_url: str
    profile: str
    outcome: str


class RecordChange(NamedTuple):
    """What one committed write changed: dataset IRIs written (added or replaced) and
    withdrawn. Given to store listeners (the search index follows the store with them)."""

    written: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    #: any record may have changed (a raw SPARQL update, changes of other processes that
    #: may have been missed): whoever keeps a copy of what the records say reads it again
    everything: bool = False

    @property
    def size(self) -> int:
        return len(self.written) + len(self.withdrawn)


class RecordListeners:
    """The listeners of one store object, told what each committed write changed (the search
    index follows the store with them). Both store kinds keep theirs in one of these."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[RecordChange], None]] = []

    def add(self, listener: Callable[[RecordChange], None]) -> None:
        self._listeners.append(listener)

    def remove(self, listener: Callable[[RecordChange], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(
        self,
        written: Sequence[str] = (),
        withdrawn: Sequence[str] = (),
        *,
        everything: bool = False,
    ) -> None:
        """Tell every listener; one that fails does not undo the write (the store stays the
        truth) nor keep the others from hearing of it."""
        if not (written or withdrawn or everything):
            return
        change = RecordChange(tuple(written), tuple(withdrawn), everything)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken follower must not break writing
                _log.exception("a store listener failed on %d change(s)", change.size)


@dataclass(frozen=True)
class RecordWrite:
    """One record to store: the dataset it describes, its triples and its metadata."""

    dataset_iri: str
    graph: Graph = field(repr=False)
    meta: RecordMeta
    #: ``graph``'s triples as ``s p o .`` lines written by a
    #: :class:`~gdcat.store.quads.QuadWriter` (blank nodes labelled for this record alone),
    #: when the caller has them already (a harvest's parsing processes write them): the
    #: embedded store writes them as they are instead of writing ``graph`` again
    ntriples: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class CatalogRecord:
    """A stored catalogue record, as read back from the provenance graph."""

    iri: str
    dataset_iri: str
    meta: RecordMeta
    #: first seen
    issued: datetime
    #: last written or withdrawn
    modified: datetime
    status: RecordStatus

    @property
    def withdrawn(self) -> bool:
        return self.status is RecordStatus.WITHDRAWN


#: Variables a pattern read along with a record may not use: the record's own solutions do.
_RECORD_VARIABLES = frozenset({"s", "p", "o"})


@dataclass(frozen=True)
class ReadAlong:
    """A SPARQL group graph pattern read along with a live record (in the same request to a
    remote store) and the variables of its solutions (never ``s``, ``p`` or ``o``, which the
    record's own solutions bind). It reads every triple inside ``GRAPH``: the record's graph
    and the provenance graph by their IRIs, others by a variable (the default graph is empty
    in the embedded store, the union of all graphs in Virtuoso)."""

    variables: tuple[str, ...]
    pattern: str

    def __post_init__(self) -> None:
        if not self.variables or _RECORD_VARIABLES & set(self.variables):
            raise ValueError(f"a pattern read along with a record binds {self.variables}")

    def query(self) -> str:
        """The pattern as a query of its own."""
        return f"SELECT {self.projection} WHERE {{ {self.pattern} }}"

    @property
    def projection(self) -> str:
        return " ".join(f"?{v}" for v in self.variables)


@dataclass(frozen=True)
class RecordRead:
    """A record as a page reads it: its catalogue record (None if never stored), its graph's
    triples (none unless live), and the solutions of a :class:`ReadAlong` (none unless asked
    and live), each a tuple in the order of its variables."""

    record: CatalogRecord | None
    triples: list[ox.Triple]
    along: tuple[tuple[Term | None, ...], ...] = ()


def record_iri(base_iri: str, dataset_iri: str) -> str:
    """The catalogue record IRI of a dataset, which also names the record's graph."""
    digest = hashlib.sha256(dataset_iri.encode("utf-8")).hexdigest()[:24]
    return f"{base_iri}record/{digest}"


def published_source_prefix(base_iri: str) -> str:
    """What the ``gdcat:sourceUrl`` of every record published over the API starts with (the
    one rule telling published records from harvested ones, also for SPARQL queries)."""
    return f"{base_iri}api/nodes/"


def published_source(base_iri: str, node: str, dataset: str) -> str:
    """The ``gdcat:sourceUrl`` of a record a steward published over the API: the API resource
    it was written to."""
    return f"{published_source_prefix(base_iri)}{node}/datasets?iri={quote(dataset, safe='')}"


def is_published_source(base_iri: str, source: str) -> bool:
    """Whether a catalogue record's source says a steward published it over the API (the
    harvest leaves such records alone; publishing and harvesting share this one test)."""
    return source.startswith(published_source_prefix(base_iri))


def provenance_graph_iri(base_iri: str) -> str:
    """The graph holding every ``dcat:CatalogRecord``."""
    return f"{base_iri}graph/provenance"


def country_iri(value: str) -> str:
    """An EU country authority IRI from a three-letter code or the IRI itself."""
    if _COUNTRY_CODE.match(value):
        return str(COUNTRY) + value
    if value.startswith(str(COUNTRY)) and _COUNTRY_CODE.match(value[len(str(COUNTRY)) :]):
        return value
    raise StoreError(
        f"country must be an ISO 3166-1 alpha-3 code or an EU country IRI, not {value!r}"
    )


class RecordWriteError(StoreError):
    """Some records of a ``put_records`` call could not be written.

    Every other record of the call was written; each failed record kept its previous version
    (or stayed absent).
    """

    def __init__(self, failures: dict[str, str], written: list[str]) -> None:
        self.failures = failures
        self.written = written
        shown = "; ".join(f"{iri}: {msg}" for iri, msg in list(failures.items())[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        super().__init__(f"{len(failures)} record(s) not written: {shown}{more}")
