"""Turning planned specs into RDF: one node's catalogue with its datasets, as an rdflib graph.

Everything gets a stable IRI under the node's base (datasets, distributions, agents, contact
points, periods, statements), so that the graph has no blank nodes and serialises the same
way every time. Like the official HealthDCAT-AP Release 8 examples, the graph also types the
authority-table IRIs it uses where a range constraint needs a class that the authority table
does not give them (``dct:RightsStatement`` for an access right, ``dct:Location`` for a country,
``dct:MediaTypeOrExtent`` for a file type …).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from gdcat.demo.countries import PHRASES, Country, Institution
from gdcat.demo.plan import KINDS, DatasetSpec
from gdcat.demo.terms import duo_iri, gdcat_concept, hpo_iri
from gdcat.demo.turtle import TripleList
from gdcat.vocab import (
    ACCESS_RIGHT,
    COUNTRY,
    CV,
    DATA_THEME,
    DATASET_TYPE,
    DCATAP,
    DPV,
    FILE_TYPE,
    GDCAT,
    GEODCATAP,
    HDEU_AUTHORITY,
    HEALTH_CATEGORY,
    HEALTHDCATAP,
    LANGUAGE,
    LICENCE,
    PREFIXES,
    VCARD,
)

ELI = Namespace("http://data.europa.eu/eli/ontology#")
GEOSPARQL_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
DPV_PD = Namespace("https://w3id.org/dpv/dpv-pd#")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
AVAILABILITY = Namespace("http://publications.europa.eu/resource/authority/planned-availability/")
LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
HEALTH_THEME = Namespace(HDEU_AUTHORITY + "health-theme/")
HEALTH_ACTIVITY = Namespace(HDEU_AUTHORITY + "health-activity/")
PUBLISHER_TYPE = Namespace(HDEU_AUTHORITY + "publisher-type/")
CODING_SYSTEM = Namespace(HDEU_AUTHORITY + "coding-system/")
STANDARD = Namespace(HDEU_AUTHORITY + "standard/")

#: The European Health Data Space Regulation, the legislation every record applies.
EHDS = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")
BEACON_V2 = URIRef("https://github.com/ga4gh-beacon/beacon-v2")
DATASET_SERIES = URIRef(f"{DCAT}DatasetSeries")
IN_SERIES = URIRef(f"{DCAT}inSeries")
DCAT_RESOURCE = URIRef(f"{DCAT}resource")

#: Prefixes the demo's Turtle uses beyond gdcat's own table.
EXTRA_PREFIXES = {
    "eli": str(ELI),
    "dpvpd": str(DPV_PD),
    "hcat": HDEU_AUTHORITY + "healthcategories/",
    "htheme": HDEU_AUTHORITY + "health-theme/",
    "hactivity": HDEU_AUTHORITY + "health-activity/",
    "ptype": HDEU_AUTHORITY + "publisher-type/",
    "codesys": HDEU_AUTHORITY + "coding-system/",
    "hstd": HDEU_AUTHORITY + "standard/",
    "access": str(ACCESS_RIGHT),
    "country": str(COUNTRY),
    "theme": str(DATA_THEME),
    "dstype": str(DATASET_TYPE),
    "filetype": str(FILE_TYPE),
    "lang": str(LANGUAGE),
    "licence": str(LICENCE),
    "freq": str(FREQUENCY),
    "avail": str(AVAILABILITY),
    "ltype": str(LICENCE_TYPE),
    "ordo": "http://www.orpha.net/ORDO/",
}

#: EU file type of each genomic file format (the EU table has VCF; reads are binary or gzip).
_EU_FILE_TYPE = {"VCF": "VCF", "GVCF": "VCF", "CRAM": "BIN", "BAM": "BIN", "FASTQ": "GZIP"}
_READ_FORMATS = ("CRAM", "BAM", "FASTQ")
_GIGABYTES_PER_UNIT = {"WGS": 18, "LONGREAD": 60, "WES": 6, "PANEL": 1, "RNASEQ": 4, "ARRAY": 0}

_PURPOSES = {
    "wgs_cohort": "Population-scale research on the genetic basis of common disease, "
    "ancestry and pharmacogenomics.",
    "wes_series": "Research into the genetic causes of rare diseases, gene discovery and "
    "improvement of diagnostic yield.",
    "wes_diagnostic": "Secondary use of diagnostic exomes for rare disease research, subject "
    "to the barriers recorded on the dataset.",
    "panel_cancer": "Research on hereditary cancer predisposition and variant classification.",
    "panel_cardio": "Research on inherited cardiac disease and variant classification.",
    "array": "Genome-wide association studies, polygenic risk and biobank-based research.",
    "rnaseq": "Research on gene expression in disease tissue and its regulation.",
    "longread": "Research on structural variation and repeat expansions in unsolved rare "
    "disease cases.",
    "aggregated": "Variant interpretation and discovery: look-up of population allele "
    "frequencies without access to individual-level data.",
}


def _date(d: date) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)


def _count(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.nonNegativeInteger)


class NodeRenderer:
    """Writes one node's catalogue into rdflib graphs."""

    def __init__(self, country: Country, base: str) -> None:
        self.country = country
        self.base = base
        self.lang = country.language
        self.cc = country.code
        self.catalog = URIRef(f"{base}catalog/genomics")
        self.portal = f"https://portal.{self.cc}.demo.gdcat.eu/"

    # -- helpers -----------------------------------------------------------------------

    def prefixes(self) -> dict[str, str]:
        """Prefixes for writing this node's Turtle."""
        return {**PREFIXES, **EXTRA_PREFIXES, "node": self.base}

    def agent(self, inst: Institution) -> URIRef:
        return URIRef(f"{self.base}agent/{inst.slug}")

    def contact(self, inst: Institution) -> URIRef:
        return URIRef(f"{self.base}contact/{inst.slug}")

    def dac(self, inst: Institution) -> URIRef:
        return URIRef(f"{self.base}agent/{inst.slug}/data-access-committee")

    def _email(self, inst: Institution) -> str:
        return f"data-access@{inst.slug}.{self.cc}.demo.gdcat.eu"

    def _site(self, inst: Institution) -> URIRef:
        return URIRef(f"https://{inst.slug}.{self.cc}.demo.gdcat.eu/")

    def _texts(self, g: TripleList, s: URIRef, p: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            g.add((s, p, Literal(text, lang=lang)))

    # -- node-level resources ----------------------------------------------------------

    def shared(self, g: TripleList) -> None:
        """Agents, contact points, statements and type declarations the datasets share."""
        c = self.country
        for inst in (*c.holders, c.hdab):
            a = self.agent(inst)
            g.add((a, RDF.type, FOAF.Agent))
            g.add((a, FOAF.name, Literal(inst.native, lang=self.lang)))
            if inst.english != inst.native:
                g.add((a, FOAF.name, Literal(inst.english, lang="en")))
            g.add((a, DCTERMS.type, PUBLISHER_TYPE[inst.publisher_type]))
            cp = URIRef(f"{a}/contact-point")
            g.add((a, CV.contactPoint, cp))
            g.add((cp, RDF.type, CV.ContactPoint))
            g.add((cp, CV.email, Literal(self._email(inst))))
            g.add((cp, CV.contactPage, self._site(inst)))
            kind = self.contact(inst)
            g.add((kind, RDF.type, VCARD.Kind))
            g.add((kind, VCARD.fn, Literal(f"{inst.english} – data access desk")))
            g.add((kind, VCARD.hasEmail, URIRef(f"mailto:{self._email(inst)}")))
            g.add((kind, VCARD.hasURL, self._site(inst)))
        for inst in c.holders:
            dac = self.dac(inst)
            g.add((dac, RDF.type, FOAF.Agent))
            g.add((dac, FOAF.name, Literal(f"{inst.english} Data Access Committee", lang="en")))
            g.add((dac, DCTERMS.type, PUBLISHER_TYPE[inst.publisher_type]))
        legal = URIRef(f"{self.base}legal-basis/ehds-secondary-use")
        g.add((legal, RDF.type, DPV.LegalBasis))
        g.add(
            (
                legal,
                DCTERMS.description,
                Literal(
                    "Secondary use of electronic health data under Regulation (EU) 2025/327 on the "
                    f"European Health Data Space and the national law of {c.english}; access only "
                    "with a data permit issued by the health data access body.",
                    lang="en",
                ),
            )
        )
        for key, text in _PURPOSES.items():
            purpose = URIRef(f"{self.base}purpose/{key.replace('_', '-')}")
            g.add((purpose, RDF.type, DPV.Purpose))
            g.add((purpose, DCTERMS.description, Literal(text, lang="en")))
        permit = URIRef(f"{self.base}rights/data-permit")
        g.add((permit, RDF.type, DCTERMS.RightsStatement))
        g.add(
            (
                permit,
                RDFS.label,
                Literal(
                    f"Access requires a data permit from the {c.hdab.english} and processing in a "
                    "secure processing environment.",
                    lang="en",
                ),
            )
        )
        open_rights = URIRef(f"{self.base}rights/open-aggregate")
        g.add((open_rights, RDF.type, DCTERMS.RightsStatement))
        g.add(
            (
                open_rights,
                RDFS.label,
                Literal(
                    "Aggregate data without individual-level information; free reuse with "
                    "attribution.",
                    lang="en",
                ),
            )
        )
        licence = URIRef(f"{self.base}licence/data-permit")
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        g.add((licence, DCTERMS.title, Literal("Data permit terms of use", lang="en")))
        g.add((licence, DCTERMS.type, LICENCE_TYPE.OtherRestrictiveClauses))
        self._declarations(g)

    def _declarations(self, g: TripleList) -> None:
        """Type the authority-table IRIs the node uses, as the R8 examples do."""
        c = self.country
        g.add((EHDS, RDF.type, ELI.LegalResource))
        for level in ("PUBLIC", "RESTRICTED", "NON_PUBLIC"):
            g.add((ACCESS_RIGHT[level], RDF.type, DCTERMS.RightsStatement))
        for code in dict.fromkeys((c.language_nal, "ENG")):
            g.add((LANGUAGE[code], RDF.type, DCTERMS.LinguisticSystem))
        place = COUNTRY[c.iso3]
        w, s, e, n = c.bbox
        g.add((place, RDF.type, DCTERMS.Location))
        g.add(
            (
                place,
                DCAT.bbox,
                Literal(
                    f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))",
                    datatype=GEOSPARQL_WKT,
                ),
            )
        )
        g.add(
            (
                place,
                DCAT.centroid,
                Literal(f"POINT({c.centroid[0]} {c.centroid[1]})", datatype=GEOSPARQL_WKT),
            )
        )
        for ft in ("VCF", "BIN", "GZIP", "HTML", "PDF"):
            g.add((FILE_TYPE[ft], RDF.type, DCTERMS.MediaTypeOrExtent))
        for media in ("text/html", "application/pdf"):
            g.add((IANA[media], RDF.type, DCTERMS.MediaType))
        for freq in ("IRREG", "NEVER", "ANNUAL"):
            g.add((FREQUENCY[freq], RDF.type, DCTERMS.Frequency))
        g.add((LICENCE.CC_BY_4_0, RDF.type, DCTERMS.LicenseDocument))
        g.add((LICENCE.CC_BY_4_0, DCTERMS.type, LICENCE_TYPE.Attribution))
        g.add((LICENCE.CC0, RDF.type, DCTERMS.LicenseDocument))
        g.add((LICENCE.CC0, DCTERMS.type, LICENCE_TYPE.PublicDomain))
        for pd in ("Genetic", "HealthRecord", "Age", "Gender"):
            g.add((DPV_PD[pd], RDF.type, DPV.PersonalData))
        for cs in ("ORPHACODE", "HPO", "ICD-10"):
            g.add((CODING_SYSTEM[cs], RDF.type, DCTERMS.Standard))
        for st in ("BEACON", "MIABIS"):
            g.add((STANDARD[st], RDF.type, DCTERMS.Standard))
        g.add((BEACON_V2, RDF.type, DCTERMS.Standard))
        g.add((BEACON_V2, DCTERMS.title, Literal("GA4GH Beacon v2", lang="en")))
        home = URIRef(self.portal)
        g.add((home, RDF.type, FOAF.Document))

    def catalogue(
        self,
        g: TripleList,
        records: Iterable[DatasetSpec],
        services: Iterable[URIRef],
        issued: date,
        modified: date,
    ) -> None:
        c = self.country
        cat = self.catalog
        g.add((cat, RDF.type, DCAT.Catalog))
        self._texts(
            g,
            cat,
            DCTERMS.title,
            {
                self.lang: PHRASES[self.lang].catalogue.format(country=c.native),
                "en": PHRASES["en"].catalogue.format(country=c.english),
            },
        )
        self._texts(
            g,
            cat,
            DCTERMS.description,
            {
                "en": f"Metadata about the genomic datasets held in {c.english}, published by the "
                f"national 1+Million Genomes node. Data stay in {c.english}; access is "
                f"granted by the {c.hdab.english}.",
            },
        )
        g.add((cat, DCTERMS.publisher, self.agent(c.genome_centre)))
        g.add((cat, DCATAP.applicableLegislation, EHDS))
        for code in dict.fromkeys((c.language_nal, "ENG")):
            g.add((cat, DCTERMS.language, LANGUAGE[code]))
        g.add((cat, DCTERMS.spatial, COUNTRY[c.iso3]))
        g.add((cat, DCTERMS.license, LICENCE.CC0))
        g.add((cat, FOAF.homepage, URIRef(self.portal)))
        g.add((cat, DCAT.themeTaxonomy, URIRef(str(DATA_THEME).rstrip("/"))))
        g.add((cat, DCTERMS.issued, _date(issued)))
        g.add((cat, DCTERMS.modified, _date(modified)))
        for spec in records:
            # DCAT-AP 3 ranges dcat:dataset on dcat:Dataset and has no property yet for series
            # (SEMICeu/DCAT-AP#348); series are listed with DCAT 3's generic dcat:resource.
            listing = DCAT_RESOURCE if spec.is_series else DCAT.dataset
            g.add((cat, listing, URIRef(spec.iri)))
        for service in services:
            g.add((cat, DCAT.service, service))

    # -- records -----------------------------------------------------------------------

    def record(self, spec: DatasetSpec) -> tuple[TripleList, URIRef | None]:
        """The triples of one record (and the IRI of its Beacon service, if any)."""
        g = TripleList()
        kind = KINDS[spec.kind]
        ds = URIRef(spec.iri)
        holder = spec.holder
        g.add((ds, RDF.type, DATASET_SERIES if spec.is_series else DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(spec.identifier)))
        self._texts(g, ds, DCTERMS.title, spec.title)
        self._texts(g, ds, DCTERMS.description, spec.description)
        for text, lang in spec.keywords:
            g.add((ds, DCAT.keyword, Literal(text, lang=lang)))
        g.add((ds, DCTERMS.accessRights, ACCESS_RIGHT[spec.access]))
        g.add((ds, DCATAP.applicableLegislation, EHDS))
        g.add((ds, DCAT.theme, DATA_THEME.HEAL))
        for hc in kind.health_categories:
            g.add((ds, HEALTHDCATAP.healthCategory, HEALTH_CATEGORY[hc]))
        theme = (
            "CANCER_DISEASE"
            if any(d.area == "cancer" for d in spec.diseases)
            else kind.health_theme
        )
        g.add((ds, HEALTHDCATAP.healthTheme, HEALTH_THEME[theme]))
        g.add((ds, DCTERMS.type, DATASET_TYPE.STATISTICAL))
        g.add((ds, DCTERMS.publisher, self.agent(holder)))
        g.add((ds, GEODCATAP.custodian, self.agent(holder)))
        g.add((ds, HEALTHDCATAP.hdab, self.agent(self.country.hdab)))
        g.add((ds, DCAT.contactPoint, self.contact(holder)))
        g.add((ds, DCTERMS.spatial, COUNTRY[self.country.iso3]))
        g.add((ds, DCTERMS.language, LANGUAGE[self.country.language_nal]))
        g.add((ds, DCTERMS.issued, _date(spec.issued)))
        g.add((ds, DCTERMS.modified, _date(spec.modified)))
        g.add((ds, DCTERMS.accrualPeriodicity, FREQUENCY[kind.frequency]))
        page = URIRef(f"{self.portal}dataset/{spec.identifier.lower()}")
        g.add((ds, DCAT.landingPage, page))
        g.add((page, RDF.type, FOAF.Document))
        self._period(g, ds, DCTERMS.temporal, "temporal", spec.start, spec.end)
        provenance = URIRef(f"{ds}#provenance")
        g.add((ds, DCTERMS.provenance, provenance))
        g.add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
        g.add((provenance, RDFS.label, Literal(spec.provenance, lang="en")))
        self._genomics(g, ds, spec)
        if spec.is_series:
            return g, None
        if spec.series_iri:
            g.add((ds, IN_SERIES, URIRef(spec.series_iri)))
        self._health(g, ds, spec)
        service = self._distributions(g, ds, spec)
        return g, service

    def _period(
        self, g: TripleList, ds: URIRef, p: URIRef, name: str, start: date, end: date
    ) -> None:
        period = URIRef(f"{ds}#{name}")
        g.add((ds, p, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, _date(start)))
        g.add((period, DCAT.endDate, _date(end)))

    def _health(self, g: TripleList, ds: URIRef, spec: DatasetSpec) -> None:
        g.add((ds, HEALTHDCATAP.hasStructuredData, Literal(False)))
        g.add((ds, HEALTHDCATAP.numberOfUniqueIndividuals, _count(spec.individuals)))
        if spec.samples is not None:
            g.add((ds, HEALTHDCATAP.numberOfRecords, _count(spec.samples)))
        elif spec.variants is not None:
            g.add((ds, HEALTHDCATAP.numberOfRecords, _count(spec.variants)))
        g.add((ds, HEALTHDCATAP.minTypicalAge, _count(spec.min_age)))
        g.add((ds, HEALTHDCATAP.maxTypicalAge, _count(spec.max_age)))
        g.add((ds, HEALTHDCATAP.populationCoverage, Literal(spec.population, lang="en")))
        g.add((ds, DPV.hasLegalBasis, URIRef(f"{self.base}legal-basis/ehds-secondary-use")))
        g.add((ds, DPV.hasPurpose, URIRef(f"{self.base}purpose/{spec.kind.replace('_', '-')}")))
        personal: tuple[str, ...] = (
            ("Genetic",) if spec.kind == "aggregated" else ("Genetic", "Age", "Gender")
        )
        if spec.linked_clinical:
            personal += ("HealthRecord",)
        for pd in personal:
            g.add((ds, DPV.hasPersonalData, DPV_PD[pd]))
        end = date(spec.end.year + 25, 12, 31)
        self._period(g, ds, HEALTHDCATAP.retentionPeriod, "retention", spec.start, end)
        activity = URIRef(f"{ds}#generation")
        g.add((ds, PROV.wasGeneratedBy, activity))
        g.add((activity, RDF.type, PROV.Activity))
        g.add(
            (
                activity,
                RDFS.label,
                Literal(f"{PHRASES['en'].kinds[spec.kind]} at {spec.holder.english}", lang="en"),
            )
        )
        g.add((activity, DCTERMS.type, HEALTH_ACTIVITY[KINDS[spec.kind].activity]))
        codes: list[tuple[str, str]] = []
        for d in spec.diseases:
            if d.scheme == "ORDO":
                codes.append(("ORPHACODE", d.code))
            elif d.icd10:
                codes.append(("ICD-10", d.icd10))
        codes += [("HPO", hp) for hp in spec.phenotypes]
        for system in dict.fromkeys(s for s, _ in codes):
            g.add((ds, HEALTHDCATAP.hasCodingSystem, CODING_SYSTEM[system]))
        for _, value in codes:
            g.add((ds, HEALTHDCATAP.hasCodeValues, Literal(value)))
        g.add((ds, FOAF.page, URIRef(f"{self.portal}dataset/{spec.identifier.lower()}")))
        if spec.source_iri:
            g.add((ds, DCTERMS.source, URIRef(spec.source_iri)))
        if spec.kind == "aggregated":
            g.add((ds, DCTERMS.conformsTo, STANDARD.BEACON))
        elif spec.kind == "array":
            g.add((ds, DCTERMS.conformsTo, STANDARD.MIABIS))

    def _genomics(self, g: TripleList, ds: URIRef, spec: DatasetSpec) -> None:
        seq = KINDS[spec.kind].sequencing
        g.add((ds, GDCAT.sequencingType, URIRef(gdcat_concept("sequencing-type", seq))))
        for ref in spec.reference_genomes:
            g.add((ds, GDCAT.referenceGenome, URIRef(gdcat_concept("reference-genome", ref))))
        for hp in spec.phenotypes:
            g.add((ds, GDCAT.phenotype, URIRef(hpo_iri(hp))))
        for disease in spec.diseases:
            g.add((ds, GDCAT.disease, URIRef(disease.iri)))
        if spec.kind != "aggregated":
            g.add((ds, GDCAT.dataAccessCommittee, self.dac(spec.holder)))
        if spec.is_series:
            return  # a series summarises its members; the rest is said per member
        for platform in spec.platforms:
            g.add((ds, GDCAT.sequencingPlatform, Literal(platform)))
        for fmt in spec.formats:
            g.add((ds, GDCAT.genomicFileFormat, URIRef(gdcat_concept("file-format", fmt))))
        if spec.genomes is not None:
            g.add((ds, GDCAT.numberOfGenomes, _count(spec.genomes)))
        if spec.exomes is not None:
            g.add((ds, GDCAT.numberOfExomes, _count(spec.exomes)))
        if spec.samples is not None:
            g.add((ds, GDCAT.numberOfSamples, _count(spec.samples)))
        g.add((ds, GDCAT.dataUsePermission, URIRef(duo_iri(spec.permission))))
        for modifier in spec.modifiers:
            g.add((ds, GDCAT.dataUseModifier, URIRef(duo_iri(modifier))))
        g.add((ds, GDCAT.hasLinkedClinicalData, Literal(spec.linked_clinical)))
        g.add((ds, GDCAT.hasLinkedPhenotypicData, Literal(spec.linked_phenotypic)))
        g.add((ds, GDCAT.consentStatus, URIRef(gdcat_concept("consent-status", spec.consent))))
        g.add(
            (
                ds,
                GDCAT.ethicsApprovalStatus,
                URIRef(gdcat_concept("ethics-approval-status", spec.ethics)),
            )
        )
        g.add((ds, GDCAT.oneMgReadiness, URIRef(gdcat_concept("readiness", spec.readiness))))
        for barrier in spec.barriers:
            g.add((ds, GDCAT.sharingBarrier, URIRef(gdcat_concept("sharing-barrier", barrier))))

    def _distribution(
        self,
        g: TripleList,
        ds: URIRef,
        name: str,
        title: str,
        description: str,
        access_url: str,
        file_type: str,
    ) -> URIRef:
        dist = URIRef(f"{ds}/distribution/{name}")
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCTERMS.description, Literal(description, lang="en")))
        g.add((dist, DCATAP.applicableLegislation, EHDS))
        g.add((dist, DCAT.accessURL, URIRef(access_url)))
        g.add((dist, DCTERMS.format, FILE_TYPE[file_type]))
        g.add((dist, DCATAP.availability, AVAILABILITY.AVAILABLE))
        return dist

    def _distributions(self, g: TripleList, ds: URIRef, spec: DatasetSpec) -> URIRef | None:
        cc = self.cc
        ident = spec.identifier.lower()
        hdab = self.country.hdab
        seq = KINDS[spec.kind].sequencing
        units = spec.genomes or spec.exomes or spec.samples or spec.individuals
        if spec.kind == "aggregated":
            vcf = self._distribution(
                g,
                ds,
                "allele-frequencies",
                "Allele frequencies (VCF)",
                "Sites-only VCF with allele counts and frequencies per variant.",
                f"https://download.{cc}.demo.gdcat.eu/{ident}/",
                "VCF",
            )
            g.add((ds, DCAT.distribution, vcf))
            g.add(
                (
                    vcf,
                    DCAT.downloadURL,
                    URIRef(
                        f"https://download.{cc}.demo.gdcat.eu/{ident}/allele-frequencies.vcf.gz"
                    ),
                )
            )
            g.add((vcf, DCTERMS.license, LICENCE.CC_BY_4_0))
            g.add((vcf, DCTERMS.rights, URIRef(f"{self.base}rights/open-aggregate")))
            g.add((vcf, DCAT.byteSize, _count(units * 40_000)))
            service = URIRef(f"{self.base}service/beacon/{ident}")
            g.add((vcf, DCAT.accessService, service))
            self._beacon(g, ds, service, spec)
            return service
        access = self._distribution(
            g,
            ds,
            "data-permit",
            f"Access through the {hdab.english}",
            "Apply for a data permit; approved users analyse the data in the national secure "
            "processing environment.",
            f"https://hdab.{cc}.demo.gdcat.eu/applications/new/{ident}",
            "HTML",
        )
        g.add((access, DCAT.mediaType, IANA["text/html"]))
        g.add((access, DCTERMS.license, URIRef(f"{self.base}licence/data-permit")))
        g.add((access, DCTERMS.rights, URIRef(f"{self.base}rights/data-permit")))
        g.add((ds, DCAT.distribution, access))
        reads = [f for f in spec.formats if f in _READ_FORMATS]
        variants = [f for f in spec.formats if f not in _READ_FORMATS]
        sde = f"https://sde.{cc}.demo.gdcat.eu/datasets/{ident}/"
        ref = " and ".join(spec.reference_genomes)
        size_gb = _GIGABYTES_PER_UNIT[seq]
        if variants:
            names = "/".join(variants)
            dist = self._distribution(
                g,
                ds,
                "variants",
                f"Variant calls ({names})",
                f"{names} files on {ref}, available inside the secure processing environment.",
                sde,
                "VCF",
            )
            g.add((dist, DCTERMS.license, URIRef(f"{self.base}licence/data-permit")))
            g.add((dist, DCTERMS.rights, URIRef(f"{self.base}rights/data-permit")))
            g.add((dist, DCAT.byteSize, _count(units * max(size_gb // 10, 1) * 100_000_000)))
            g.add((ds, DCAT.distribution, dist))
        if reads:
            fmt = reads[0]
            dist = self._distribution(
                g,
                ds,
                "reads",
                f"Sequence reads ({fmt})",
                f"{fmt} files"
                + (f" aligned to {ref}" if fmt != "FASTQ" else "")
                + ", available inside the secure processing environment.",
                sde,
                _EU_FILE_TYPE[fmt],
            )
            g.add((dist, DCTERMS.license, URIRef(f"{self.base}licence/data-permit")))
            g.add((dist, DCTERMS.rights, URIRef(f"{self.base}rights/data-permit")))
            g.add((dist, DCAT.byteSize, _count(units * size_gb * 1_000_000_000)))
            g.add((ds, DCAT.distribution, dist))
        if spec.with_analytics:
            report = self._distribution(
                g,
                ds,
                "summary-report",
                "Summary statistics report",
                "Aggregate description of the dataset: counts by sex and age group, coverage "
                "and quality metrics.",
                f"{self.portal}dataset/{ident}/summary",
                "PDF",
            )
            g.add((report, DCAT.mediaType, IANA["application/pdf"]))
            g.add((report, DCTERMS.license, LICENCE.CC_BY_4_0))
            g.add((report, DCTERMS.rights, URIRef(f"{self.base}rights/open-aggregate")))
            g.add((ds, HEALTHDCATAP.analytics, report))
        return None

    def _beacon(self, g: TripleList, ds: URIRef, service: URIRef, spec: DatasetSpec) -> None:
        endpoint = f"https://beacon.{self.cc}.demo.gdcat.eu/api"
        g.add((ds, GDCAT.beacon, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, Literal(f"Beacon v2 for {spec.identifier}", lang="en")))
        g.add(
            (
                service,
                DCTERMS.description,
                Literal(
                    f"GA4GH Beacon v2 endpoint of the {self.country.english} node answering allele "
                    f"queries over dataset {spec.identifier}.",
                    lang="en",
                ),
            )
        )
        g.add((service, DCAT.endpointURL, URIRef(endpoint)))
        g.add((service, DCAT.endpointDescription, URIRef(f"{endpoint}/info")))
        g.add((service, DCTERMS.conformsTo, STANDARD.BEACON))
        g.add((service, DCTERMS.conformsTo, BEACON_V2))
        g.add((service, DCAT.servesDataset, ds))
        g.add((service, DCTERMS.accessRights, ACCESS_RIGHT.PUBLIC))
        g.add((service, DCTERMS.publisher, self.agent(spec.holder)))
        g.add((service, DCAT.contactPoint, self.contact(spec.holder)))
        g.add((service, DCAT.theme, DATA_THEME.HEAL))
        g.add((service, DCAT.keyword, Literal("Beacon", lang="en")))
