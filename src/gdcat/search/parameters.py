"""The search request as named parameters: the names ``/api/datasets`` and the search page
(``/search``) share, validated by their declared types (a value that no scheme allows, a
misspelt filter, a page beyond the limit), and turned into a :class:`SearchRequest`'s parts.

The REST API and the pages for people read their query strings through these models, so a
URL of one is a URL of the other (only the path differs).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gdcat.search.duo import TERMS_BY_IRI, Category, Purpose
from gdcat.search.terms import (
    ACCESS_RIGHTS_SCHEME,
    COUNTRY_SCHEME,
    DISEASE_SCHEME,
    DUO_SCHEME,
    FACETS_BY_NAME,
    HEALTH_CATEGORY_SCHEME,
    PHENOTYPE_SCHEME,
    PLAIN,
    REFERENCE_GENOME_SCHEME,
    SEQUENCING_TYPE_SCHEME,
    FacetName,
)
from gdcat.store import Outcome

KindName = Literal["dataset", "series"]

_MAX_VALUES = 20
_MAX_VALUE_LENGTH = 500

CountryValue = Annotated[str, Field(pattern=COUNTRY_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)]
HealthCategoryValue = Annotated[
    str, Field(pattern=HEALTH_CATEGORY_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)
]
SequencingTypeValue = Annotated[
    str, Field(pattern=SEQUENCING_TYPE_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)
]
ReferenceGenomeValue = Annotated[
    str, Field(pattern=REFERENCE_GENOME_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)
]
DiseaseValue = Annotated[str, Field(pattern=DISEASE_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)]
PhenotypeValue = Annotated[
    str, Field(pattern=PHENOTYPE_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)
]
DuoValue = Annotated[str, Field(pattern=DUO_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)]
AccessRightsValue = Annotated[
    str, Field(pattern=ACCESS_RIGHTS_SCHEME.pattern, max_length=_MAX_VALUE_LENGTH)
]
PlainValue = Annotated[str, Field(pattern=PLAIN.pattern, max_length=_MAX_VALUE_LENGTH)]

PurposeName = Literal[
    "GRU",
    "HMB",
    "DS",
    "POA",
    "DUO:0000042",
    "DUO:0000006",
    "DUO:0000007",
    "DUO:0000011",
    "http://purl.obolibrary.org/obo/DUO_0000042",
    "http://purl.obolibrary.org/obo/DUO_0000006",
    "http://purl.obolibrary.org/obo/DUO_0000007",
    "http://purl.obolibrary.org/obo/DUO_0000011",
]
SortName = Literal[
    "relevance", "title", "-title", "modified", "-modified", "individuals", "-individuals"
]
LanguageTag = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")]

_CATEGORIES: dict[str, Category] = {}
for _category in Category:
    _term = TERMS_BY_IRI[_category.value]
    _CATEGORIES[_term.shorthand] = _CATEGORIES[_term.curie] = _CATEGORIES[_term.iri] = _category


def _many(facet: str) -> Any:
    spec = FACETS_BY_NAME[facet]
    return Field(
        default_factory=list,
        max_length=_MAX_VALUES,
        description=spec.description + " Repeat the parameter for any of several values.",
        examples=[[spec.example]],
    )


class PurposeParameters(BaseModel):
    """A research purpose in DUO terms (see docs/search.md, "Data use")."""

    purpose: PurposeName | None = Field(
        None,
        description="The kind of research, as a DUO permission term: GRU (general research "
        "use), HMB (health, medical or biomedical), DS (disease-specific, with "
        "purpose_disease), POA (population origins or ancestry). Only datasets whose data "
        "use conditions permit it are returned; each hit says which conditions remain.",
        examples=["DS"],
    )
    purpose_disease: list[DiseaseValue] = Field(
        default_factory=list,
        max_length=_MAX_VALUES,
        description="The disease(s) of a disease-specific study (ORPHA:…, MONDO:…, ICD10:… or "
        "an IRI). Makes the purpose disease-specific (DS) when purpose is GRU, HMB or not "
        "given. A DS dataset permits the study when every disease given is one of its "
        "diseases or narrower.",
        examples=[["MONDO:0007254"]],
    )
    commercial: bool = Field(
        False, description="The use is commercial (refused by NCU and NPUNCU datasets)."
    )
    for_profit: bool = Field(
        False,
        description="The user is a for-profit organisation (refused by NPU and NPUNCU).",
    )
    methods: bool = Field(
        False, description="The study develops methods or software (refused by NMDS)."
    )
    clinical_care: bool = Field(
        False, description="The use is clinical care (permitted only by NRES or CC datasets)."
    )
    phenotype_only: bool = Field(
        False, description="The study is phenotype research alone (refused by GSO)."
    )

    def to_purpose(self, warnings: list[str]) -> Purpose | None:
        """The purpose these parameters describe, or None when they describe none."""
        category = _CATEGORIES[self.purpose] if self.purpose else None
        diseases = tuple(
            dict.fromkeys(
                DISEASE_SCHEME.iri(DISEASE_SCHEME.canonical(d)) for d in self.purpose_disease
            )
        )
        if diseases and category in (None, Category.GRU, Category.HMB):
            category = Category.DS
        elif diseases and category is Category.POA:
            warnings.append(
                "purpose_disease describes disease-specific research; it is ignored with "
                "purpose=POA (population origins or ancestry research)"
            )
            diseases = ()
        flags = (self.commercial, self.for_profit, self.methods, self.clinical_care)
        if category is None and not any(flags) and not self.phenotype_only:
            return None
        return Purpose(
            category,
            diseases,
            commercial=self.commercial,
            for_profit=self.for_profit,
            methods=self.methods,
            clinical_care=self.clinical_care,
            phenotype_only=self.phenotype_only,
        )


class DatasetQueryBase(PurposeParameters):
    """Query parameters of ``GET /api/datasets`` (page sizes come from the settings). A
    parameter the API does not know (a misspelt filter) is a 422, never silently ignored."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        "",
        max_length=1000,
        description="Words to find in titles, descriptions and keywords, in any language "
        '(tantivy query syntax: "exact phrase", -excluded, a OR b). All words must match; '
        "accents and case do not matter. Text that is not valid syntax is searched as plain "
        "words (the response then carries a warning).",
        examples=["exome rare disease"],
    )
    country: list[CountryValue] = _many("country")
    health_category: list[HealthCategoryValue] = _many("health_category")
    sequencing_type: list[SequencingTypeValue] = _many("sequencing_type")
    reference_genome: list[ReferenceGenomeValue] = _many("reference_genome")
    disease: list[DiseaseValue] = _many("disease")
    phenotype: list[PhenotypeValue] = _many("phenotype")
    data_use: list[DuoValue] = _many("data_use")
    access_rights: list[AccessRightsValue] = _many("access_rights")
    publisher: list[PlainValue] = _many("publisher")
    node: list[PlainValue] = _many("node")
    type: list[KindName] = Field(
        default_factory=list,
        max_length=2,
        description="dataset or series (dataset series); both when not given.",
        examples=[["dataset"]],
    )
    outcome: list[Outcome] = Field(
        default_factory=list,
        max_length=3,
        description="Validation outcome of the stored record: conforms, warnings, violations.",
        examples=[["conforms"]],
    )
    sort: SortName = Field(
        "relevance",
        description="relevance (the default; by title when there is no q), title, modified, "
        "individuals; a leading '-' sorts descending (-modified: newest first).",
        examples=["-modified"],
    )
    page: int = Field(1, ge=1, le=10_000, description="Page number, from 1.", examples=[1])
    facet: list[FacetName] = Field(
        default_factory=list,
        max_length=10,
        description="Facets to count (all of them when not given).",
        examples=[["country", "sequencing_type"]],
    )
    facet_size: int = Field(
        20, ge=1, le=200, description="Most values listed per facet.", examples=[20]
    )
    lang: LanguageTag = Field(
        "en",
        description="Preferred language of titles and descriptions (BCP 47); falls back to "
        "English, then any language.",
        examples=["fr"],
    )

    def filters(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for name, spec in FACETS_BY_NAME.items():
            values = getattr(self, name)
            if values:
                out[name] = tuple(dict.fromkeys(spec.scheme.canonical(v) for v in values))
        return out
