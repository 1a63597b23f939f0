"""Namespace constants used across gdcat (one place, so that IRIs never drift)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

ADMS = Namespace("http://www.w3.org/ns/adms#")
CV = Namespace("http://data.europa.eu/m8g/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DPV = Namespace("https://w3id.org/dpv#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
GEODCATAP = Namespace("http://data.europa.eu/930/")
HEALTHDCATAP = Namespace("http://healthdataportal.eu/ns/health#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LDP = Namespace("http://www.w3.org/ns/ldp#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FDP = Namespace("https://w3id.org/fdp/fdp-o#")
OBO = Namespace("http://purl.obolibrary.org/obo/")
EDAM = Namespace("http://edamontology.org/")

#: gdcat's own vocabulary: the genomics extension of HealthDCAT-AP.
GDCAT = Namespace("https://w3id.org/gdcat/ns#")
#: gdcat's concept schemes (sequencing type, reference genome, consent, readiness, barriers...).
GDCATV = Namespace("https://w3id.org/gdcat/vocab/")

#: EU Publications Office authority tables.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
COUNTRY = Namespace(EU_AUTHORITY + "country/")
DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
LANGUAGE = Namespace(EU_AUTHORITY + "language/")
DATASET_TYPE = Namespace(EU_AUTHORITY + "dataset-type/")
LICENCE = Namespace(EU_AUTHORITY + "licence/")
#: HealthData@EU authority tables (HealthDCAT-AP Release 8, production host).
HDEU_AUTHORITY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
HEALTH_CATEGORY = Namespace(HDEU_AUTHORITY + "healthcategories/")

#: The three HealthDCAT-AP access levels, by their local name.
ACCESS_LEVELS = ("PUBLIC", "RESTRICTED", "NON_PUBLIC")

#: Prefixes bound when gdcat serialises RDF for people to read.
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "adms": str(ADMS),
    "cv": str(CV),
    "dcatap": str(DCATAP),
    "dpv": str(DPV),
    "dqv": str(DQV),
    "geodcatap": str(GEODCATAP),
    "healthdcatap": str(HEALTHDCATAP),
    "csvw": str(CSVW),
    "vcard": str(VCARD),
    "locn": str(LOCN),
    "odrl": str(ODRL),
    "spdx": str(SPDX),
    "ldp": str(LDP),
    "gdcat": str(GDCAT),
    "gdcatv": str(GDCATV),
    "obo": str(OBO),
    "fdp": str(FDP),
    "hydra": str(HYDRA),
    "eli": "http://data.europa.eu/eli/ontology#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "dash": "http://datashapes.org/dash#",
}
