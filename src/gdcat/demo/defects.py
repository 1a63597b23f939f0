"""Deliberate defects: each turns one valid record into an invalid one in exactly one way.

The demo federation carries a few of these so that harvesting, validation reports and the
steward's validation page have something to show. Every defect names the validation
profiles that must reject it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

from gdcat.demo.terms import gdcat_concept
from gdcat.demo.turtle import TripleList
from gdcat.vocab import GDCAT, HEALTHDCATAP


@dataclass(frozen=True)
class Defect:
    code: str
    description: str
    #: The property a validation report should point at.
    path: str
    #: Profiles that must report a violation for it (gdcat's own profile treats hdab,
    #: identifier and distribution as recommended, so only HealthDCAT-AP rejects those).
    profiles: tuple[str, ...]
    apply: Callable[[TripleList, URIRef], None]


def _drop(p: URIRef) -> Callable[[TripleList, URIRef], None]:
    def apply(g: TripleList, ds: URIRef) -> None:
        g.remove((ds, p, None))

    return apply


def _negative_count(g: TripleList, ds: URIRef) -> None:
    g.remove((ds, HEALTHDCATAP.numberOfUniqueIndividuals, None))
    g.add((ds, HEALTHDCATAP.numberOfUniqueIndividuals, Literal(-40)))


def _literal_category(g: TripleList, ds: URIRef) -> None:
    g.remove((ds, HEALTHDCATAP.healthCategory, None))
    g.add((ds, HEALTHDCATAP.healthCategory, Literal("HGPD")))


def _unknown_sequencing_type(g: TripleList, ds: URIRef) -> None:
    g.remove((ds, GDCAT.sequencingType, None))
    g.add((ds, GDCAT.sequencingType, URIRef(gdcat_concept("sequencing-type", "SANGER"))))


def _no_distribution(g: TripleList, ds: URIRef) -> None:
    for p in (DCAT.distribution, HEALTHDCATAP.analytics):
        for dist in g.objects(ds, p):
            g.remove((URIRef(dist), None, None))
        g.remove((ds, p, None))


def _second_min_age(g: TripleList, ds: URIRef) -> None:
    ages = [int(a) for a in g.objects(ds, HEALTHDCATAP.minTypicalAge)]
    g.add(
        (
            ds,
            HEALTHDCATAP.minTypicalAge,
            Literal(str(max(ages, default=0) + 7), datatype=XSD.nonNegativeInteger),
        )
    )


R8 = "healthdcat-ap-r8"
GDCAT_PROFILE = "gdcat"
DCAT_AP = "dcat-ap-3"

#: The defects, in the order the generator hands them out.
DEFECTS: tuple[Defect, ...] = (
    Defect(
        "missing-title",
        "dct:title removed in every language",
        str(DCTERMS.title),
        (DCAT_AP, R8, GDCAT_PROFILE),
        _drop(DCTERMS.title),
    ),
    Defect(
        "negative-count",
        "healthdcatap:numberOfUniqueIndividuals is -40 (an xsd:integer)",
        str(HEALTHDCATAP.numberOfUniqueIndividuals),
        (R8, GDCAT_PROFILE),
        _negative_count,
    ),
    Defect(
        "missing-hdab",
        "healthdcatap:hdab removed",
        str(HEALTHDCATAP.hdab),
        (R8,),
        _drop(HEALTHDCATAP.hdab),
    ),
    Defect(
        "literal-for-iri",
        'healthdcatap:healthCategory is the literal "HGPD", not the authority-table IRI',
        str(HEALTHDCATAP.healthCategory),
        (R8, GDCAT_PROFILE),
        _literal_category,
    ),
    Defect(
        "unknown-sequencing-type",
        "gdcat:sequencingType is sequencing-type/SANGER, which is not in gdcat's scheme",
        str(GDCAT.sequencingType),
        (GDCAT_PROFILE,),
        _unknown_sequencing_type,
    ),
    Defect(
        "missing-distribution",
        "every dcat:Distribution removed",
        str(DCAT.distribution),
        (R8,),
        _no_distribution,
    ),
    Defect(
        "missing-identifier",
        "dct:identifier removed",
        str(DCTERMS.identifier),
        (R8,),
        _drop(DCTERMS.identifier),
    ),
    Defect(
        "missing-readiness",
        "gdcat:oneMgReadiness removed",
        str(GDCAT.oneMgReadiness),
        (GDCAT_PROFILE,),
        _drop(GDCAT.oneMgReadiness),
    ),
    Defect(
        "duplicate-min-age",
        "a second healthdcatap:minTypicalAge",
        str(HEALTHDCATAP.minTypicalAge),
        (R8, GDCAT_PROFILE),
        _second_min_age,
    ),
    Defect(
        "missing-data-use-permission",
        "gdcat:dataUsePermission removed",
        str(GDCAT.dataUsePermission),
        (GDCAT_PROFILE,),
        _drop(GDCAT.dataUsePermission),
    ),
)

DEFECTS_BY_CODE: dict[str, Defect] = {d.code: d for d in DEFECTS}
