"""How controlled values are written in the search API: short codes for known schemes, IRIs
for everything else.

A dataset names a country as ``http://publications.europa.eu/resource/authority/country/FRA``;
the search API shows and accepts ``FRA``. A disease IRI of Orphanet becomes ``ORPHA:558``, of
MONDO ``MONDO:0007254``. IRIs of schemes gdcat does not know stay IRIs (harvested data may use
other vocabularies), so every value round-trips: :meth:`Scheme.value` gives what the index
stores and the API shows, :meth:`Scheme.iri` turns it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

from gdcat.vocab import ACCESS_RIGHT, COUNTRY, GDCATV, HEALTH_CATEGORY, OBO

ORDO = "http://www.orpha.net/ORDO/Orphanet_"
ICD10 = "http://purl.bioontology.org/ontology/ICD10/"
DUO = str(OBO) + "DUO_"
HPO = str(OBO) + "HP_"
MONDO = str(OBO) + "MONDO_"

#: An absolute http(s) IRI as a filter value: no controls, spaces, quotes or angle brackets.
#: (Explicit code points, not ``\s``, which regex engines disagree about: U+0085 is space in
#: Python and Rust, not in JavaScript.)
IRI_PATTERN = r"https?://[^\x00-\x20<>\"{}|\\^`]+"


@dataclass(frozen=True)
class Scheme:
    """IRIs under ``namespaces`` written as ``prefix + code``."""

    #: (code prefix, IRI namespace) pairs, e.g. ("ORPHA:", ".../Orphanet_")
    namespaces: tuple[tuple[str, str], ...]
    #: what a code (after its prefix) looks like
    code: str
    #: what a filter accepts as a code (defaults to ``code``; wider for case-folded codes)
    accept: str | None = None
    #: codes are written in upper case (a lower-case filter value is accepted)
    upper: bool = False

    def value(self, iri: str) -> str:
        """The code of ``iri`` if it is in one of the namespaces, else ``iri`` itself."""
        return _short(self, iri)

    def _value(self, iri: str) -> str:
        for prefix, namespace in self.namespaces:
            if iri.startswith(namespace):
                code = iri[len(namespace) :]
                if re.fullmatch(self.code, code):
                    return prefix + code
        return iri

    def iri(self, value: str) -> str:
        """The IRI a stored value stands for."""
        for prefix, namespace in self.namespaces:
            if prefix and value.startswith(prefix):
                return namespace + value[len(prefix) :]
        if not _is_iri(value) and len(self.namespaces) == 1 and not self.namespaces[0][0]:
            return self.namespaces[0][1] + value
        return value

    @property
    def pattern(self) -> str:
        """A regular expression for the values a filter accepts: a code or an IRI."""
        if not self.namespaces:
            return r"^[^\x00-\x20][^\x00-\x1f]*$"
        code = self.accept or self.code
        codes = "|".join(f"{re.escape(prefix)}{code}" for prefix, _ in self.namespaces)
        return f"^(?:{codes}|{IRI_PATTERN})$"

    def canonical(self, text: str) -> str:
        """A filter value as the index stores it (codes in their case, IRIs shortened)."""
        text = text.strip()
        if _is_iri(text):
            return self.value(text)
        if self.upper:
            text = text.upper()
        return self.value(self.iri(text))


@lru_cache(maxsize=65_536)
def _short(scheme: Scheme, iri: str) -> str:
    """:meth:`Scheme.value`, remembered: indexing meets the same few IRIs again and again."""
    return scheme._value(iri)


def _is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://"))


_UPPER_CODE = r"[A-Z][A-Z_]*"
_ANY_CASE_CODE = r"[A-Za-z][A-Za-z_]*"
COUNTRY_SCHEME = Scheme((("", str(COUNTRY)),), r"[A-Z]{3}", r"[A-Za-z]{3}", upper=True)
HEALTH_CATEGORY_SCHEME = Scheme(
    (("", str(HEALTH_CATEGORY)),), _UPPER_CODE, _ANY_CASE_CODE, upper=True
)
SEQUENCING_TYPE_SCHEME = Scheme(
    (("", str(GDCATV) + "sequencing-type/"),), _UPPER_CODE, _ANY_CASE_CODE, upper=True
)
REFERENCE_GENOME_SCHEME = Scheme(
    (("", str(GDCATV) + "reference-genome/"),), r"[A-Za-z][A-Za-z0-9.-]*"
)
ACCESS_RIGHTS_SCHEME = Scheme((("", str(ACCESS_RIGHT)),), _UPPER_CODE, _ANY_CASE_CODE, upper=True)
DISEASE_SCHEME = Scheme(
    (("ORPHA:", ORDO), ("MONDO:", MONDO), ("ICD10:", ICD10)), r"[0-9A-Z][0-9A-Z.]*"
)
PHENOTYPE_SCHEME = Scheme((("HP:", HPO),), r"[0-9]{7}")
DUO_SCHEME = Scheme((("DUO:", DUO),), r"[0-9]{7,8}")
#: Publishers and nodes are named as they are (an IRI, a name).
PLAIN = Scheme((), r"[^\s].*")


@dataclass(frozen=True)
class FacetSpec:
    """One facet: the index field counted, the filter parameter, how its values are written."""

    name: str
    scheme: Scheme
    description: str
    example: str
    #: filtering matches the term or a narrower one (the field holding the ancestor closure)
    closure_field: str | None = None


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec(
        "country",
        COUNTRY_SCHEME,
        "Country holding the data: the harvested node's country, else the dataset's "
        "dct:spatial (ISO 3166-1 alpha-3 code of the EU country table, or its IRI).",
        "FRA",
    ),
    FacetSpec(
        "health_category",
        HEALTH_CATEGORY_SCHEME,
        "HealthDCAT-AP health category (EHDS Art. 51), e.g. HGPD for genetic and genomic data.",
        "HGPD",
    ),
    FacetSpec(
        "sequencing_type",
        SEQUENCING_TYPE_SCHEME,
        "Sequencing or assay type: WGS, WES, PANEL, ARRAY, RNASEQ, LONGREAD.",
        "WGS",
    ),
    FacetSpec(
        "reference_genome",
        REFERENCE_GENOME_SCHEME,
        "Reference assembly: GRCh37, GRCh38, T2T-CHM13.",
        "GRCh38",
    ),
    FacetSpec(
        "disease",
        DISEASE_SCHEME,
        "Disease studied (ORPHA:…, MONDO:…, ICD10:… or an IRI); filtering also finds "
        "datasets annotated with narrower terms.",
        "MONDO:0004992",
        closure_field="disease_closure",
    ),
    FacetSpec(
        "phenotype",
        PHENOTYPE_SCHEME,
        "Phenotype present in the cohort (HP:…); filtering also finds narrower terms.",
        "HP:0001638",
        closure_field="phenotype_closure",
    ),
    FacetSpec(
        "data_use",
        DUO_SCHEME,
        "A DUO term the dataset states, permission or modifier (DUO:…). To ask which "
        "datasets permit a research purpose, use the purpose parameters instead.",
        "DUO:0000042",
    ),
    FacetSpec(
        "access_rights",
        ACCESS_RIGHTS_SCHEME,
        "Access rights: PUBLIC, RESTRICTED, NON_PUBLIC.",
        "RESTRICTED",
    ),
    FacetSpec(
        "publisher",
        PLAIN,
        "Publisher IRI (or its name when the publisher has no IRI).",
        "https://fdp.fr.demo.gdcat.eu/agent/aphp",
    ),
    FacetSpec("node", PLAIN, "The national node the record was harvested from.", "fr"),
)

FACETS_BY_NAME: dict[str, FacetSpec] = {f.name: f for f in FACETS}

#: The facet names, as a type the API's parameters are checked against.
FacetName = Literal[
    "country",
    "health_category",
    "sequencing_type",
    "reference_genome",
    "disease",
    "phenotype",
    "data_use",
    "access_rights",
    "publisher",
    "node",
]
if set(get_args(FacetName)) != set(FACETS_BY_NAME):  # one list may not grow without the other
    raise RuntimeError("FacetName and FACETS name different facets")
