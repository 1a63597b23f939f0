"""The 1+MG inventory: what the federation holds, country by country.

Counted over the live ``dcat:Dataset`` records (dataset series are left out: they summarise
their members, which are counted themselves):

- **country**: the catalogue record's ``gdcat:sourceCountry`` (the node's country) when the
  writer gave one, otherwise the dataset's ``dct:spatial`` value from the EU country table
  (the first by IRI if there are several); datasets with neither are counted under no country;
- **individuals**: ``healthdcatap:numberOfUniqueIndividuals``;
- **derived data** (a dataset whose ``dct:source`` or ``prov:wasDerivedFrom`` is another
  dataset of the catalogue, such as allele frequencies aggregated from a cohort) counts as a
  dataset but adds no individuals, genomes, exomes or samples: its source already counts them;
- **by sequencing type**: for each ``gdcat:sequencingType`` of a dataset, the count that type
  produces: genomes (``gdcat:numberOfGenomes``) for WGS and long-read sequencing, exomes
  (``gdcat:numberOfExomes``) for WES, samples (``gdcat:numberOfSamples``) for gene panels,
  genotyping arrays and RNA-seq. A dataset of several types counts under each of them, so the
  columns are not meant to be added up;
- **access**: datasets by ``dct:accessRights`` (PUBLIC, RESTRICTED, NON_PUBLIC);
- **shareable**: datasets whose ``gdcat:oneMgReadiness`` is READY; the others (CONDITIONAL,
  NOT_READY, unstated) are not shareable yet;
- **linked clinical data**: datasets whose ``gdcat:hasLinkedClinicalData`` is true.

Progress toward the 1+MG goal is the WGS genome count over one million; the genomes and exomes
of every dataset together are shown beside it.

The figures are read from the counts every record write keeps in the store
(:mod:`gdcat.store.counts`: a few hundred triples whatever the catalogue's size). A store whose
counts are not complete (written before counts existed, or changed by a raw SPARQL update) is
counted from its records by two aggregate queries (:func:`recount_inventory`), whose time grows
with the catalogue; the counts are checked against that recount by the tests.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from gdcat.store.counts import DERIVED_MEASURES, CountLayout
from gdcat.store.protocol import QueryableStore, Store
from gdcat.store.records import SOURCE_NODE, RecordStatus
from gdcat.store.results import QueryResult
from gdcat.vocab import ACCESS_LEVELS, ACCESS_RIGHT, COUNTRY, GDCAT, GDCATV, HEALTHDCATAP

#: The 1+MG goal.
GENOME_TARGET = 1_000_000
SEQUENCING_TYPES = ("WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD")
READINESS_LEVELS = ("READY", "CONDITIONAL", "NOT_READY")

_SEQUENCING_TYPE = str(GDCATV) + "sequencing-type/"
_READINESS = str(GDCATV) + "readiness/"
#: Which count a sequencing type produces.
_GENOME_TYPES = ("WGS", "LONGREAD")
_EXOME_TYPES = ("WES",)
#: What each sequencing type's count is of.
_UNITS = {
    code: "genomes" if code in _GENOME_TYPES else "exomes" if code in _EXOME_TYPES else "samples"
    for code in SEQUENCING_TYPES
}

_DATASET_FACTS = """
  {{ SELECT ?record ?dataset (IRI(MIN(STR(?spatial))) AS ?datasetCountry)
           (MAX(?individuals0) AS ?ownIndividuals) (MAX(?genomes0) AS ?ownGenomes)
           (MAX(?exomes0) AS ?ownExomes) (MAX(?samples0) AS ?ownSamples)
           (SAMPLE(?access0) AS ?access) (SAMPLE(?readiness0) AS ?readiness)
           (SAMPLE(?clinical0) AS ?clinical) (SAMPLE(?source0) AS ?derivedFrom)
    WHERE {{
      GRAPH <{prov}> {{ ?record <http://xmlns.com/foaf/0.1/primaryTopic> ?dataset }}
      GRAPH ?record {{
        # ?dataset is bound already; the type tells datasets from dataset series.
        ?dataset a <http://www.w3.org/ns/dcat#Dataset> .
        # a series typed dcat:Dataset as well is still a series: its members count
        FILTER NOT EXISTS {{ ?dataset a <http://www.w3.org/ns/dcat#DatasetSeries> }}
        OPTIONAL {{ ?dataset <http://purl.org/dc/terms/spatial> ?spatial
                   FILTER(STRSTARTS(STR(?spatial), "{country}")) }}
        OPTIONAL {{ ?dataset <{individuals}> ?individuals0 FILTER(isNumeric(?individuals0)) }}
        OPTIONAL {{ ?dataset <{genomes}> ?genomes0 FILTER(isNumeric(?genomes0)) }}
        OPTIONAL {{ ?dataset <{exomes}> ?exomes0 FILTER(isNumeric(?exomes0)) }}
        OPTIONAL {{ ?dataset <{samples}> ?samples0 FILTER(isNumeric(?samples0)) }}
        OPTIONAL {{ ?dataset <http://purl.org/dc/terms/accessRights> ?access0 }}
        OPTIONAL {{ ?dataset <{readiness}> ?readiness0 }}
        OPTIONAL {{ ?dataset <{clinical}> ?clinical0 }}
        OPTIONAL {{ ?dataset <http://purl.org/dc/terms/source>|<http://www.w3.org/ns/prov#wasDerivedFrom>
                             ?source0 }}
      }}
    }}
    GROUP BY ?record ?dataset
  }}
  # Data derived from a dataset the catalogue holds (allele frequencies computed from a
  # cohort) adds no individuals, genomes, exomes or samples of its own.
  # (an OPTIONAL joined on a bound variable rather than EXISTS in BIND, which Virtuoso
  # cannot compile)
  BIND(COALESCE(?derivedFrom, <urn:gdcat:no-source>) AS ?from)
  OPTIONAL {{
    GRAPH <{prov}> {{ ?sourceRecord <http://xmlns.com/foaf/0.1/primaryTopic> ?from }}
    GRAPH ?sourceRecord {{ ?from a <http://www.w3.org/ns/dcat#Dataset> }}
  }}
  BIND(BOUND(?sourceRecord) AS ?derived)
  BIND(IF(?derived, 0, ?ownIndividuals) AS ?individuals)
  BIND(IF(?derived, 0, ?ownGenomes) AS ?genomes)
  BIND(IF(?derived, 0, ?ownExomes) AS ?exomes)
  BIND(IF(?derived, 0, ?ownSamples) AS ?samples)
  OPTIONAL {{ GRAPH <{prov}> {{ ?record <{source_country}> ?recordCountry }} }}
  BIND(COALESCE(?recordCountry, ?datasetCountry) AS ?country)
"""

_BY_COUNTRY = """
SELECT ?country (COUNT(?dataset) AS ?datasets)
       (SUM(COALESCE(?individuals, 0)) AS ?individualsTotal)
       (SUM(COALESCE(?genomes, 0)) AS ?genomesTotal)
       (SUM(COALESCE(?exomes, 0)) AS ?exomesTotal)
       (SUM(COALESCE(?samples, 0)) AS ?samplesTotal)
       {access_columns}
       {readiness_columns}
       (SUM(IF(COALESCE(?readiness = <{ready}>, false), COALESCE(?genomes, 0), 0))
         AS ?shareableGenomes)
       (SUM(IF(COALESCE(?clinical = true, false), 1, 0)) AS ?clinicalYes)
WHERE {{ {facts} }}
GROUP BY ?country
"""

_BY_TYPE = """
SELECT ?country ?type (COUNT(?dataset) AS ?datasets) (SUM(COALESCE(?produced, 0)) AS ?count)
WHERE {{
  {facts}
  GRAPH ?record {{ ?dataset <{sequencing_type}> ?type }}
  BIND(IF(?type IN ({genome_types}), ?genomes,
          IF(?type IN ({exome_types}), ?exomes, ?samples)) AS ?produced)
}}
GROUP BY ?country ?type
"""


@dataclass(frozen=True)
class InventoryRow:
    """One country's figures (or the totals)."""

    #: ISO 3166-1 alpha-3 code, ``None`` for datasets of no known country, ``"TOTAL"`` for totals
    country: str | None
    datasets: int = 0
    individuals: int = 0
    genomes: int = 0
    exomes: int = 0
    samples: int = 0
    #: sequencing type code -> genomes / exomes / samples produced by that type
    by_sequencing_type: dict[str, int] = field(default_factory=dict)
    #: sequencing type code -> datasets of that type
    datasets_by_sequencing_type: dict[str, int] = field(default_factory=dict)
    #: PUBLIC / RESTRICTED / NON_PUBLIC -> datasets
    by_access: dict[str, int] = field(default_factory=dict)
    #: READY / CONDITIONAL / NOT_READY -> datasets
    by_readiness: dict[str, int] = field(default_factory=dict)
    shareable_genomes: int = 0
    linked_clinical: int = 0

    @property
    def shareable(self) -> int:
        """Datasets ready to share in 1+MG (readiness READY)."""
        return self.by_readiness.get("READY", 0)

    @property
    def not_shareable(self) -> int:
        """Datasets not ready yet (CONDITIONAL, NOT_READY or readiness unstated)."""
        return self.datasets - self.shareable

    @property
    def no_linked_clinical(self) -> int:
        """Datasets without linked clinical data (false or unstated)."""
        return self.datasets - self.linked_clinical

    def to_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "datasets": self.datasets,
            "individuals": self.individuals,
            "genomes": self.genomes,
            "exomes": self.exomes,
            "samples": self.samples,
            "by_sequencing_type": dict(self.by_sequencing_type),
            "datasets_by_sequencing_type": dict(self.datasets_by_sequencing_type),
            "by_access": dict(self.by_access),
            "by_readiness": dict(self.by_readiness),
            "shareable": self.shareable,
            "not_shareable": self.not_shareable,
            "shareable_genomes": self.shareable_genomes,
            "linked_clinical": self.linked_clinical,
            "no_linked_clinical": self.no_linked_clinical,
        }


@dataclass(frozen=True)
class Inventory:
    """The inventory table: one row per country, and the totals."""

    countries: tuple[InventoryRow, ...]
    totals: InventoryRow
    target: int = GENOME_TARGET

    @property
    def wgs_genomes(self) -> int:
        return self.totals.by_sequencing_type.get("WGS", 0)

    @property
    def genomes_and_exomes(self) -> int:
        return self.totals.genomes + self.totals.exomes

    @property
    def wgs_progress(self) -> float:
        """WGS genomes as a percentage of the 1+MG target."""
        return 100.0 * self.wgs_genomes / self.target

    @property
    def genomes_and_exomes_progress(self) -> float:
        return 100.0 * self.genomes_and_exomes / self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "countries": [row.to_json() for row in self.countries],
            "totals": self.totals.to_json(),
            "progress": {
                "target_genomes": self.target,
                "wgs_genomes": self.wgs_genomes,
                "wgs_percent": round(self.wgs_progress, 4),
                "genomes_and_exomes": self.genomes_and_exomes,
                "genomes_and_exomes_percent": round(self.genomes_and_exomes_progress, 4),
            },
        }

    def to_csv(self) -> str:
        """One row per country and a totals row (``TOTAL``), under a header of
        :data:`CSV_COLUMNS` names (RFC 4180: comma-separated, CRLF line ends)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([name for name, _ in CSV_COLUMNS])
        for row in [*self.countries, self.totals]:
            writer.writerow([value(row) for _, value in CSV_COLUMNS])
        return out.getvalue()

    def to_table(self) -> str:
        header = [
            "Country",
            "Datasets",
            "Individuals",
            *SEQUENCING_TYPES,
            *("Public", "Restricted", "Non-public"),
            *("Shareable", "Not yet", "Clinical", "No clin."),
        ]
        rows = [_table_cells(row) for row in self.countries]
        total = _table_cells(self.totals)
        widths = [len(h) for h in header]
        for cells in [*rows, total]:
            widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]

        def line(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
            return "  ".join([first, *rest])

        rule = "  ".join("-" * w for w in widths)
        out = [line(header), rule, *(line(r) for r in rows), rule, line(total), ""]
        out.append(
            f"Progress toward {self.target:,} genomes: {self.wgs_genomes:,} WGS genomes "
            f"({self.wgs_progress:.2f}%); genomes + exomes: {self.genomes_and_exomes:,} "
            f"({self.genomes_and_exomes_progress:.2f}%)"
        )
        return "\n".join(out) + "\n"


def _csv_country(row: InventoryRow) -> str:
    # Empty for datasets of no known country. A code read from a harvested IRI could start
    # like a spreadsheet formula: such a cell is quoted with a leading apostrophe.
    code = row.country or ""
    return "'" + code if code[:1] in ("=", "+", "-", "@", "\t", "\r") else code


#: The CSV form's columns (``gdcat inventory --format csv``, ``/api/inventory`` as ``text/csv``):
#: the figures of ``to_json``, one column each, named ``<sequencing type>_<what it produces>``
#: for the counts by type.
CSV_COLUMNS: tuple[tuple[str, Callable[[InventoryRow], int | str]], ...] = (
    ("country", _csv_country),
    ("datasets", lambda r: r.datasets),
    ("individuals", lambda r: r.individuals),
    ("genomes", lambda r: r.genomes),
    ("exomes", lambda r: r.exomes),
    ("samples", lambda r: r.samples),
    *(
        (
            f"{code.lower()}_{_UNITS[code]}",
            lambda r, code=code: r.by_sequencing_type.get(code, 0),
        )
        for code in SEQUENCING_TYPES
    ),
    *(
        (
            f"{code.lower()}_datasets",
            lambda r, code=code: r.datasets_by_sequencing_type.get(code, 0),
        )
        for code in SEQUENCING_TYPES
    ),
    *(
        (f"{level.lower()}_datasets", lambda r, level=level: r.by_access.get(level, 0))
        for level in ACCESS_LEVELS
    ),
    *(
        (f"{level.lower()}_datasets", lambda r, level=level: r.by_readiness.get(level, 0))
        for level in READINESS_LEVELS
    ),
    ("shareable", lambda r: r.shareable),
    ("not_shareable", lambda r: r.not_shareable),
    ("shareable_genomes", lambda r: r.shareable_genomes),
    ("linked_clinical", lambda r: r.linked_clinical),
    ("no_linked_clinical", lambda r: r.no_linked_clinical),
)


def _table_cells(row: InventoryRow) -> list[str]:
    numbers = (
        [row.datasets, row.individuals]
        + [row.by_sequencing_type.get(code, 0) for code in SEQUENCING_TYPES]
        + [row.by_access.get(level, 0) for level in ACCESS_LEVELS]
        + [row.shareable, row.not_shareable, row.linked_clinical, row.no_linked_clinical]
    )
    label = row.country if row.country is not None else "(none)"
    return [label] + [f"{n:,}" for n in numbers]


def inventory_queries(provenance_graph: str) -> tuple[str, str]:
    """The two SPARQL queries behind the inventory (by country; by country and type)."""
    facts = _DATASET_FACTS.format(
        prov=provenance_graph,
        country=str(COUNTRY),
        individuals=HEALTHDCATAP.numberOfUniqueIndividuals,
        genomes=GDCAT.numberOfGenomes,
        exomes=GDCAT.numberOfExomes,
        samples=GDCAT.numberOfSamples,
        readiness=GDCAT.oneMgReadiness,
        clinical=GDCAT.hasLinkedClinicalData,
        source_country=GDCAT.sourceCountry,
    )
    access_columns = "\n       ".join(
        f"(SUM(IF(COALESCE(?access = <{ACCESS_RIGHT}{level}>, false), 1, 0)) AS ?access_{level})"
        for level in ACCESS_LEVELS
    )
    readiness_columns = "\n       ".join(
        f"(SUM(IF(COALESCE(?readiness = <{_READINESS}{level}>, false), 1, 0)) "
        f"AS ?readiness_{level})"
        for level in READINESS_LEVELS
    )
    by_country = _BY_COUNTRY.format(
        facts=facts,
        access_columns=access_columns,
        readiness_columns=readiness_columns,
        ready=_READINESS + "READY",
    )
    by_type = _BY_TYPE.format(
        facts=facts,
        sequencing_type=GDCAT.sequencingType,
        genome_types=", ".join(f"<{_SEQUENCING_TYPE}{code}>" for code in _GENOME_TYPES),
        exome_types=", ".join(f"<{_SEQUENCING_TYPE}{code}>" for code in _EXOME_TYPES),
    )
    return by_country, by_type


def compute_inventory(store: QueryableStore) -> Inventory:
    """The store's live dataset records counted per country (see the module docstring): read
    from the store's counts when they are complete, else counted from the records."""
    counted = read_counts(store)
    if counted is None:
        return recount_inventory(store)
    return _inventory_from_counts(counted)


#: a counter: country code or None, sequencing type code or None, measure
CountKey = tuple[str | None, str | None, str]
#: every counter's total
Counts = dict[CountKey, int]


def read_counts(store: QueryableStore) -> Counts | None:
    """The store's counters (derived datasets' shares taken off), or None when the store's
    counts are not complete."""
    layout = CountLayout(store.base_iri)
    rows = store.query(layout.totals_query(), union_default_graph=False).rows
    totals: dict[str, int] = {}
    described: dict[str, dict[str, str]] = {}
    complete = False
    for subject, predicate, obj in rows:
        s, p = _local_code(subject, ""), _local_code(predicate, "")
        if s == layout.totals:
            if p == layout.complete:
                complete = True
            elif isinstance(obj, ox.Literal):
                totals[p] = _int(obj)
        else:
            described.setdefault(s, {})[p] = _local_code(obj, "")
    if not complete:
        return None

    def key(counter: str) -> CountKey:
        about = described.get(counter, {})
        country = about.get(f"{layout.vocab}country")
        kind = about.get(f"{layout.vocab}type")
        return (
            country[len(str(COUNTRY)) :] if country is not None else None,
            _local_code(kind, _SEQUENCING_TYPE) if kind is not None else None,
            _local_code(about.get(f"{layout.vocab}measure", ""), layout.vocab),
        )

    counts: Counts = {}
    for counter, total in totals.items():
        counts[key(counter)] = counts.get(key(counter), 0) + total
    for counter, minus in _derived_shares(store, layout).items():
        counts[key(counter)] = counts.get(key(counter), 0) - minus
    return counts


def _derived_shares(store: QueryableStore, layout: CountLayout) -> dict[str, int]:
    """What the records derived from a live dataset of the catalogue added to each counter
    they must not count (their source counts it)."""
    named = store.query(layout.derived_from_query(), union_default_graph=False).rows
    sources: dict[str, set[str]] = {}
    for record, source in named:
        sources.setdefault(_local_code(source, ""), set()).add(_local_code(record, ""))
    if not sources:
        return {}
    names = sorted(sources)
    derived: set[str] = set()
    for start in range(0, len(names), 500):
        query = layout.live_datasets_query(store.provenance_graph, names[start : start + 500])
        for (dataset,) in store.query(query, union_default_graph=False).rows:
            derived |= sources.get(_local_code(dataset, ""), set())
    measures = {f"{layout.vocab}{m}" for m in DERIVED_MEASURES}
    shares: dict[str, int] = {}
    records = sorted(derived)
    for start in range(0, len(records), 500):
        values = " ".join(f"<{r}>" for r in records[start : start + 500])
        query = (
            f"SELECT ?counter ?amount ?measure WHERE {{ VALUES ?record {{ {values} }} "
            f"GRAPH <{layout.records}> {{ ?record ?counter ?amount FILTER(isNumeric(?amount)) }} "
            f"GRAPH <{layout.totals}> {{ ?counter <{layout.vocab}measure> ?measure }} }}"
        )
        for counter, amount, measure in store.query(query, union_default_graph=False).rows:
            if _local_code(measure, "") in measures:
                name = _local_code(counter, "")
                shares[name] = shares.get(name, 0) + _int(amount)
    return shares


def _inventory_from_counts(counts: Counts) -> Inventory:
    countries = sorted(
        {c for (c, kind, m), n in counts.items() if kind is None and m == "datasets" and n > 0},
        key=lambda c: (c is None, c or ""),
    )
    rows = []
    for country in countries:

        def get(measure: str, country: str | None = country) -> int:
            return counts.get((country, None, measure), 0)

        types = {
            code: counts.get((country, code, "produced"), 0)
            for (c, code, m), n in counts.items()
            if c == country and code is not None and m == "datasets" and n > 0
        }
        type_datasets = {
            code: n
            for (c, code, m), n in counts.items()
            if c == country and code is not None and m == "datasets" and n > 0
        }
        rows.append(
            InventoryRow(
                country=country,
                datasets=get("datasets"),
                individuals=get("individuals"),
                genomes=get("genomes"),
                exomes=get("exomes"),
                samples=get("samples"),
                by_sequencing_type=types,
                datasets_by_sequencing_type=type_datasets,
                by_access={level: get(f"access-{level}") for level in ACCESS_LEVELS},
                by_readiness={level: get(f"readiness-{level}") for level in READINESS_LEVELS},
                shareable_genomes=get("shareable-genomes"),
                linked_clinical=get("clinical"),
            )
        )
    return Inventory(countries=tuple(rows), totals=_total(rows))


def recount_inventory(store: QueryableStore) -> Inventory:
    """The inventory counted from the records themselves by two aggregate queries (a store
    without complete counts; the reference the counts are tested against)."""
    by_country_query, by_type_query = inventory_queries(store.provenance_graph)
    by_country = store.query(by_country_query, union_default_graph=False)
    by_type = store.query(by_type_query, union_default_graph=False)

    types: dict[str | None, dict[str, int]] = {}
    type_datasets: dict[str | None, dict[str, int]] = {}
    for solution in _records(by_type):
        country = _country_code(solution["country"])
        code = _local_code(solution["type"], _SEQUENCING_TYPE)
        types.setdefault(country, {})[code] = _int(solution["count"])
        type_datasets.setdefault(country, {})[code] = _int(solution["datasets"])

    rows = []
    for solution in _records(by_country):
        country = _country_code(solution["country"])
        rows.append(
            InventoryRow(
                country=country,
                datasets=_int(solution["datasets"]),
                individuals=_int(solution["individualsTotal"]),
                genomes=_int(solution["genomesTotal"]),
                exomes=_int(solution["exomesTotal"]),
                samples=_int(solution["samplesTotal"]),
                by_sequencing_type=types.get(country, {}),
                datasets_by_sequencing_type=type_datasets.get(country, {}),
                by_access={level: _int(solution[f"access_{level}"]) for level in ACCESS_LEVELS},
                by_readiness={
                    level: _int(solution[f"readiness_{level}"]) for level in READINESS_LEVELS
                },
                shareable_genomes=_int(solution["shareableGenomes"]),
                linked_clinical=_int(solution["clinicalYes"]),
            )
        )
    rows.sort(key=lambda row: (row.country is None, row.country or ""))
    return Inventory(countries=tuple(rows), totals=_total(rows))


def _total(rows: list[InventoryRow]) -> InventoryRow:
    def add(dicts: list[dict[str, int]]) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in dicts:
            for key, value in d.items():
                out[key] = out.get(key, 0) + value
        return out

    return InventoryRow(
        country="TOTAL",
        datasets=sum(r.datasets for r in rows),
        individuals=sum(r.individuals for r in rows),
        genomes=sum(r.genomes for r in rows),
        exomes=sum(r.exomes for r in rows),
        samples=sum(r.samples for r in rows),
        by_sequencing_type=add([r.by_sequencing_type for r in rows]),
        datasets_by_sequencing_type=add([r.datasets_by_sequencing_type for r in rows]),
        by_access=add([r.by_access for r in rows]),
        by_readiness=add([r.by_readiness for r in rows]),
        shareable_genomes=sum(r.shareable_genomes for r in rows),
        linked_clinical=sum(r.linked_clinical for r in rows),
    )


def _records(result: QueryResult) -> list[dict[str, object]]:
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _int(term: object) -> int:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return int(float(term.value))
    return 0


def _country_code(term: object) -> str | None:
    if isinstance(term, ox.NamedNode):
        return _local_code(term, str(COUNTRY))
    return None


def _local_code(term: object, namespace: str) -> str:
    value = term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)
    return value[len(namespace) :] if value.startswith(namespace) else value


# -- what the catalogue holds, by kind ---------------------------------------------------------

_KINDS = """
SELECT (SUM(?isSeries) AS ?series) (SUM(IF(?isSeries = 0 && ?isDataset = 1, 1, 0)) AS ?datasets)
       (SUM(IF(?isSeries = 0 && ?isDataset = 0 && ?isService = 1, 1, 0)) AS ?services)
WHERE {{
  {{ SELECT ?record
            (MAX(IF(COALESCE(?type = <http://www.w3.org/ns/dcat#DatasetSeries>, false), 1, 0))
              AS ?isSeries)
            (MAX(IF(COALESCE(?type = <http://www.w3.org/ns/dcat#Dataset>, false), 1, 0))
              AS ?isDataset)
            (MAX(IF(COALESCE(?type = <http://www.w3.org/ns/dcat#DataService>, false), 1, 0))
              AS ?isService)
     WHERE {{
       GRAPH <{prov}> {{
         ?record <http://xmlns.com/foaf/0.1/primaryTopic> ?topic {node}
         FILTER NOT EXISTS {{ ?record <http://www.w3.org/ns/adms#status> <{withdrawn}> }}
       }}
       OPTIONAL {{ GRAPH ?record {{ ?topic a ?type }} }}
     }}
     GROUP BY ?record
  }}
}}
"""


@dataclass(frozen=True)
class RecordKinds:
    """The live records of the catalogue by kind: a record typed ``dcat:DatasetSeries`` is a
    series, else one typed ``dcat:Dataset`` a dataset, else a ``dcat:DataService`` a service."""

    datasets: int
    series: int
    services: int

    def to_json(self) -> dict[str, int]:
        return {"datasets": self.datasets, "series": self.series, "services": self.services}

    @classmethod
    def total(cls, parts: Iterable[RecordKinds]) -> RecordKinds:
        """The kinds of several sets of records (each catalogue's) together."""
        counted = list(parts)
        return cls(
            datasets=sum(k.datasets for k in counted),
            series=sum(k.series for k in counted),
            services=sum(k.services for k in counted),
        )

    def to_text(self) -> str:
        """The three numbers in a sentence, as the home and inventory pages name them."""
        return (
            f"The catalogue holds {self.datasets:,} datasets (counted in the inventory), "
            f"{self.series:,} dataset series (not counted: a series sums up its releases) and "
            f"{self.services:,} data services (not counted: they hold no genomes)."
        )


def count_record_kinds(store: QueryableStore, node: str | None = None) -> RecordKinds:
    """How many live datasets, dataset series and data services the store holds, or holds
    from one ``node`` (the inventory counts the datasets; the home page, the feed, the search
    and the harvest reports name all three): the catalogue's read from the store's counts
    when they are complete, a node's (and the catalogue's otherwise) counted from the
    records."""
    kept = kept_record_kinds(store) if node is None else None
    return kept if kept is not None else recount_record_kinds(store, node)


def kept_record_kinds(store: QueryableStore) -> RecordKinds | None:
    """:func:`count_record_kinds` of the whole catalogue from the store's counts alone (a few
    milliseconds at any size), None when they are not complete."""
    counts = read_counts(store)
    if counts is None:
        return None

    def total(measure: str) -> int:
        return sum(n for (_, kind, m), n in counts.items() if kind is None and m == measure)

    return RecordKinds(
        datasets=total("datasets"), series=total("series"), services=total("services")
    )


def recount_record_kinds(store: QueryableStore, node: str | None = None) -> RecordKinds:
    """:func:`count_record_kinds` counted from the records themselves."""
    only = ""
    if node is not None:
        only = f". ?record <{SOURCE_NODE}> {ox.Literal(node)}"
    query = _KINDS.format(
        prov=store.provenance_graph, withdrawn=RecordStatus.WITHDRAWN.iri, node=only
    )
    solution = _records(store.query(query, union_default_graph=False))
    row = solution[0] if solution else {}
    return RecordKinds(
        datasets=_int(row.get("datasets")),
        series=_int(row.get("series")),
        services=_int(row.get("services")),
    )


class CountedInventory:
    """:func:`compute_inventory` of ``store``, counted once per store generation: the
    aggregate queries run again only after a write. One per application, so that the page
    and the API that show the inventory share one count."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._counted: tuple[int, Inventory] | None = None

    def get(self) -> Inventory:
        generation = self._store.generation
        with self._lock:
            if self._counted is None or self._counted[0] != generation:
                self._counted = (generation, compute_inventory(self._store))
            return self._counted[1]
