"""The response models of the REST search API (:mod:`gdcat.api.search`).

Search pages, one dataset, the inventory, catalogues and publishers, as FastAPI documents
them in the OpenAPI document and validates them on the way out. The query-parameter models
stay in :mod:`gdcat.api.search`, where the page-size limits are added from the settings.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gdcat.search.parameters import KindName


class Labelled(BaseModel):
    value: str = Field(description="The value as filters take it (a code or an IRI).")
    label: str | None = Field(description="Its label, when gdcat knows one.")


class Publisher(BaseModel):
    id: str = Field(description="The publisher's IRI (its name when it has no IRI).")
    name: str | None


class LangText(BaseModel):
    text: str
    lang: str = Field(description="Language tag; empty when the text has none.")


class Condition(BaseModel):
    iri: str
    code: str = Field(description="DUO CURIE, or the IRI of a term gdcat does not know.")
    shorthand: str | None
    label: str


class DataUseVerdict(BaseModel):
    permitted: bool
    reasons: list[str] = Field(description="Why the purpose is refused (empty if permitted).")
    conditions: list[Condition] = Field(
        description="Requirements the researcher must still meet (publication, ethics "
        "approval, non-commercial use…)."
    )


class HitLinks(BaseModel):
    api: str = Field(description="This dataset as JSON (GET /api/datasets/{key}).")
    dataset: str = Field(description="The dataset as HTML or RDF: {base}dataset/{key}.")
    record: str = Field(description="Its catalogue record: {base}record/{key}.")


class DatasetHit(BaseModel):
    iri: str = Field(description="The dataset IRI, as its node published it.")
    key: str
    type: KindName
    title: str | None
    snippet: str | None = Field(description="Part of the description, plain text.")
    snippet_html: str | None = Field(
        description="The snippet with matched words in <b>…</b> (escaped HTML), when q matched "
        "the description."
    )
    country: Labelled | None
    node: str | None
    publishers: list[Publisher]
    access_rights: list[Labelled]
    sequencing_types: list[Labelled]
    individuals: int | None
    genomes: int | None
    modified: str | None
    score: float | None = Field(description="Relevance score (sorting by relevance only).")
    data_use: DataUseVerdict | None = Field(
        description="The verdict on the research purpose, when one was given."
    )
    links: HitLinks


class Bucket(BaseModel):
    value: str
    label: str | None
    count: int
    selected: bool = Field(description="The value is one of the request's filters.")


class Facet(BaseModel):
    buckets: list[Bucket]
    other: int = Field(description="Matches with values not listed (beyond facet_size).")


class CohortFigures(BaseModel):
    value: str | None = Field(description="Country code or sequencing type; null: none stated.")
    label: str | None
    datasets: int
    individuals: int
    genomes: int
    exomes: int
    samples: int
    unit: Literal["genomes", "exomes", "samples"] | None = Field(
        None, description="What a sequencing type produces."
    )
    produced: int | None = Field(None, description="How many of the unit.")


class CohortTotals(BaseModel):
    datasets: int = Field(description="Matching datasets counted (series are not).")
    individuals: int
    genomes: int
    exomes: int
    samples: int
    by_country: list[CohortFigures]
    by_sequencing_type: list[CohortFigures] = Field(
        description="A dataset of several types counts under each: do not add these up."
    )


class PageLinks(BaseModel):
    self: str
    first: str
    prev: str | None
    next: str | None


class SearchPage(BaseModel):
    total: int = Field(description="Datasets and series matching.")
    page: int
    page_size: int
    sort: str = Field(description="The order applied.")
    hits: list[DatasetHit]
    facets: dict[str, Facet]
    cohort: CohortTotals = Field(
        description="Individuals, genomes, exomes and samples of the matching datasets added "
        "up, as if one cohort."
    )
    warnings: list[str]
    links: PageLinks


class DatasetDetail(BaseModel):
    iri: str
    key: str
    type: KindName
    identifier: str | None
    title: str | None
    titles: list[LangText]
    descriptions: list[LangText]
    keywords: list[LangText]
    country: Labelled | None
    node: str | None
    publishers: list[Publisher]
    access_rights: list[Labelled]
    health_categories: list[Labelled]
    sequencing_types: list[Labelled]
    reference_genomes: list[Labelled]
    diseases: list[Labelled]
    phenotypes: list[Labelled]
    data_use_permission: Labelled | None = Field(
        description="The permission the dataset's DUO terms amount to (null: none usable)."
    )
    data_use_modifiers: list[Labelled]
    individuals: int | None
    genomes: int | None
    exomes: int | None
    samples: int | None
    issued: str | None
    modified: str | None
    derived_from: list[str] = Field(description="Datasets this one was computed from.")
    counts_in_cohort: bool = Field(
        description="False for series and for data derived from another catalogued dataset."
    )
    validation_profile: str | None
    validation_outcome: str | None
    data_use: DataUseVerdict | None = Field(
        description="The verdict on the research purpose, when one was given."
    )
    links: HitLinks


class InventoryFigures(BaseModel):
    country: str | None = Field(description="ISO 3166-1 alpha-3; null: none; TOTAL: totals.")
    datasets: int
    individuals: int
    genomes: int
    exomes: int
    samples: int
    by_sequencing_type: dict[str, int]
    datasets_by_sequencing_type: dict[str, int]
    by_access: dict[str, int]
    by_readiness: dict[str, int]
    shareable: int
    not_shareable: int
    shareable_genomes: int
    linked_clinical: int
    no_linked_clinical: int


class InventoryProgress(BaseModel):
    target_genomes: int
    wgs_genomes: int
    wgs_percent: float
    genomes_and_exomes: int
    genomes_and_exomes_percent: float


class InventoryReport(BaseModel):
    countries: list[InventoryFigures]
    totals: InventoryFigures
    progress: InventoryProgress


class CatalogLinks(BaseModel):
    catalog: str = Field(description="The catalogue as gdcat re-publishes it.")
    search: str = Field(description="Its datasets in the search API.")


class CatalogSummary(BaseModel):
    iri: str
    node: str
    country: Labelled | None
    datasets: int
    series: int
    links: CatalogLinks


class CatalogList(BaseModel):
    total: int
    catalogs: list[CatalogSummary]


class PublisherSummary(BaseModel):
    id: str = Field(description="The publisher's IRI (its name when it has no IRI).")
    key: str = Field(description="Its key in this API (/api/publishers/{key}).")
    name: str | None
    records: int = Field(description="Datasets and series published.")
    search: str = Field(description="Its datasets in the search API.")
    api: str = Field(description="This publisher in the API.")


class PublisherList(BaseModel):
    total: int
    publishers: list[PublisherSummary]
