"""Crosswalk: a GDI (1+MG) / Health-RI model record -> a HealthDCAT-AP Release 8 record.

The GDI model (``shapes/gdi/``, based on HealthDCAT-AP Release 5 and on Health-RI v2) and
HealthDCAT-AP Release 8 describe the same things differently. :func:`gdi_to_healthdcat` adds
what Release 8 asks for **only where it can be derived from the record or has a documented
default**; everything the record says is kept, except values Release 8 forbids in a property
where an equivalent exists (noted below). What cannot be derived (a distribution, a provenance
statement for NON_PUBLIC data, ``dct:conformsTo`` outside the HealthData@EU standards table...)
is left for validation to report.

Each row: what Release 8 asks for -> what the crosswalk does [basis].

* ``dcatap:applicableLegislation`` (1..*) on catalogues, datasets, series, distributions ->
  the EHDS Regulation ``http://data.europa.eu/eli/reg/2025/327/oj`` when none is given
  [documented default: GDI shapes' ``sh:defaultValue``; GDI guidance "must include the ELI of
  the EHDS"].
* ``dcat:theme`` includes ``data-theme/HEAL`` -> HEAL added when absent [documented default,
  GDI shapes].
* ``dcat:theme`` only from the EU data-theme table -> ``https://publications.europa.eu/...``
  written ``http://``; other themes become ``dct:subject`` [derived: same concept; DCAT makes
  ``dcat:theme`` a sub-property of ``dct:subject``].
* ``healthdcatap:healthCategory`` (1..*) from the HealthData@EU table ->
  ``gdi:HealthCategoryHumanGenetic|Epigenomic|Genomic`` and the GDI choice-list labels
  "(f)".."(q)" become the table's HGPD, HPML, PHDR, RQSH, EINS; none at all: HGPD [derived:
  EHDS Art. 51(1) letters; default: GDI's scope is genomic data].
* ``dct:type`` from the EU dataset-type table -> the ``https://`` form written ``http://``
  [derived].
* ``healthdcatap:hdab`` (1) -> when absent, the custodian (``geodcatap:custodian``), else the
  publisher [documented default: GDI guidance, until HDABs exist, names the organisation that
  controls the data].
* one ``cv:contactPoint`` (a ``cv:ContactPoint``) on publisher, HDAB, HDAB coordinator and
  custodian -> built from the agent's ``dcat:contactPoint`` vCard (``vcard:hasEmail`` ->
  ``cv:email`` without ``mailto:``, ``vcard:hasURL`` -> ``cv:contactPage``), else from
  ``foaf:mbox`` / ``foaf:homepage`` [derived: same contact, other vocabulary].
* ``healthdcatap:hasStructuredData`` (1) -> ``true`` when ``healthdcatap:hasVariables`` is
  given, else ``false`` [derived: Release 8 allows ``true`` only with variables].
* counts and ages typed ``xsd:nonNegativeInteger`` -> other integer types of values >= 0
  retyped [derived].
* ``vcard:hasEmail`` an IRI -> a literal address becomes a ``mailto:`` IRI [derived].
* ``dpv:hasLegalBasis`` values are ``dpv:LegalBasis`` -> DPV legal-basis concepts
  (``dpv:Consent``...) typed ``dpv:LegalBasis`` [derived: DPV concepts].
* classes of values (DCAT-AP ranges) -> untyped values of ``dcat:contactPoint`` typed
  ``vcard:Kind``; of publisher, creator, HDAB, custodian ``foaf:Agent``; of
  ``dcat:distribution`` ``dcat:Distribution``; ELI IRIs of ``applicableLegislation``
  ``eli:LegalResource``; EU authority-table concepts the range of the property naming them
  (access right ``dct:RightsStatement``, language ``dct:LinguisticSystem``, format
  ``dct:MediaTypeOrExtent``...), as the Release 8 examples do [derived].

``dct:accessRights`` is never defaulted: calling genomic data PUBLIC by default could expose it.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD
from rdflib.term import Node

from gdcat.vocab import CV, DATA_THEME, DATASET_TYPE, DPV, GEODCATAP, HEALTH_CATEGORY, HEALTHDCATAP
from gdcat.vocab import VCARD as VCARD_NS

DCATAP_APPLICABLE_LEGISLATION = URIRef("http://data.europa.eu/r5r/applicableLegislation")
#: The European Health Data Space Regulation, (EU) 2025/327.
EHDS_ELI = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")
HEAL = DATA_THEME.HEAL
GDI = "http://data.gdi.eu/core/p2/"
DATASET_SERIES = URIRef(str(DCAT) + "DatasetSeries")

_GDI_CATEGORIES = {
    URIRef(GDI + "HealthCategoryHumanGenetic"): HEALTH_CATEGORY.HGPD,
    URIRef(GDI + "HealthCategoryHumanEpigenomic"): HEALTH_CATEGORY.HGPD,
    URIRef(GDI + "HealthCategoryHumanGenomic"): HEALTH_CATEGORY.HGPD,
}
#: GDI choice list (``Documentation/choicelist.csv``): EHDS Art. 51(1) letter -> table concept.
_CHOICE_LETTERS = {
    "f": HEALTH_CATEGORY.HGPD,
    "g": HEALTH_CATEGORY.HPML,
    "k": HEALTH_CATEGORY.PHDR,
    "p": HEALTH_CATEGORY.RQSH,
    "q": HEALTH_CATEGORY.EINS,
}
_COUNTS = (
    HEALTHDCATAP.numberOfRecords,
    HEALTHDCATAP.numberOfUniqueIndividuals,
    HEALTHDCATAP.minTypicalAge,
    HEALTHDCATAP.maxTypicalAge,
)
_INTEGER_TYPES = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.positiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
}
_AGENT_ROLES = (
    DCTERMS.publisher,
    DCTERMS.creator,
    HEALTHDCATAP.hdab,
    HEALTHDCATAP.hdabCoordinator,
    GEODCATAP.custodian,
)
_CONTACT_ROLES = (
    DCTERMS.publisher,
    HEALTHDCATAP.hdab,
    HEALTHDCATAP.hdabCoordinator,
    GEODCATAP.custodian,
)
_HTTPS_TABLES = ("https://publications.europa.eu/resource/authority/",)
ELI = "http://data.europa.eu/eli/"
ELI_LEGAL_RESOURCE = URIRef("http://data.europa.eu/eli/ontology#LegalResource")
EU_AUTHORITY_TABLES = "http://publications.europa.eu/resource/authority/"
#: DCAT-AP ranges of properties whose values are EU authority-table concepts.
_TABLE_RANGES: tuple[tuple[URIRef, URIRef], ...] = (
    (DCTERMS.accessRights, DCTERMS.RightsStatement),
    (DCTERMS.language, DCTERMS.LinguisticSystem),
    (DCTERMS.spatial, DCTERMS.Location),
    (DCTERMS.accrualPeriodicity, DCTERMS.Frequency),
    (DCTERMS.format, DCTERMS.MediaTypeOrExtent),
    (DCTERMS.license, DCTERMS.LicenseDocument),
)


def gdi_to_healthdcat(graph: Graph) -> Graph:
    """A new graph: ``graph`` completed and adjusted for HealthDCAT-AP Release 8 (see module)."""
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=False)
    for triple in graph:
        out.add(triple)
    datasets = sorted(
        {*out.subjects(RDF.type, DCAT.Dataset), *out.subjects(RDF.type, DATASET_SERIES)}, key=str
    )
    for node in sorted(out.subjects(RDF.type, DCAT.Catalog), key=str):
        _default(out, node, DCATAP_APPLICABLE_LEGISLATION, EHDS_ELI)
    for dataset in datasets:
        _type_values(out, dataset)
        _default(out, dataset, DCATAP_APPLICABLE_LEGISLATION, EHDS_ELI)
        _themes(out, dataset)
        _health_categories(out, dataset)
        _https_table_values(out, dataset, DCTERMS.type, str(DATASET_TYPE))
        _hdab(out, dataset)
        _structured_data(out, dataset)
        _counts(out, dataset)
        _legal_bases(out, dataset)
    for distribution in sorted(out.subjects(RDF.type, DCAT.Distribution), key=str):
        _default(out, distribution, DCATAP_APPLICABLE_LEGISLATION, EHDS_ELI)
        _type_table_values(out, distribution)
    for dataset in datasets:
        _type_table_values(out, dataset)
    for legislation in list(out.objects(None, DCATAP_APPLICABLE_LEGISLATION)):
        if isinstance(legislation, URIRef) and str(legislation).startswith(ELI):
            _default(out, legislation, RDF.type, ELI_LEGAL_RESOURCE)
    for dataset in datasets:
        for role in _CONTACT_ROLES:
            for agent in list(out.objects(dataset, role)):
                _agent_contact_point(out, agent)
    for kind in list(out.objects(None, DCAT.contactPoint)):
        _email_iris(out, kind)
    return out


def _default(graph: Graph, node: Node, predicate: URIRef, value: Node) -> None:
    if (node, predicate, None) not in graph:
        graph.add((node, predicate, value))


def _type_values(graph: Graph, dataset: Node) -> None:
    """Give untyped values the class their property's range names."""
    ranges: list[tuple[URIRef, URIRef]] = [
        (DCAT.contactPoint, VCARD_NS.Kind),
        (DCAT.distribution, DCAT.Distribution),
        *((role, FOAF.Agent) for role in _AGENT_ROLES),
    ]
    for predicate, cls in ranges:
        for value in graph.objects(dataset, predicate):
            if isinstance(value, URIRef | BNode) and (value, RDF.type, None) not in graph:
                graph.add((value, RDF.type, cls))


def _type_table_values(graph: Graph, node: Node) -> None:
    for predicate, cls in _TABLE_RANGES:
        for value in graph.objects(node, predicate):
            if isinstance(value, URIRef) and str(value).startswith(EU_AUTHORITY_TABLES):
                _default(graph, value, RDF.type, cls)


def _themes(graph: Graph, dataset: Node) -> None:
    _https_table_values(graph, dataset, DCAT.theme, str(DATA_THEME))
    for theme in list(graph.objects(dataset, DCAT.theme)):
        if not str(theme).startswith(str(DATA_THEME)):
            graph.remove((dataset, DCAT.theme, theme))
            graph.add((dataset, DCTERMS.subject, theme))
    if (dataset, DCAT.theme, HEAL) not in graph:
        graph.add((dataset, DCAT.theme, HEAL))


def _https_table_values(graph: Graph, node: Node, predicate: URIRef, table: str) -> None:
    """Rewrite ``https://publications.europa.eu/resource/authority/...`` to the ``http`` IRI."""
    for value in list(graph.objects(node, predicate)):
        text = str(value)
        for prefix in _HTTPS_TABLES:
            if isinstance(value, URIRef) and text.startswith(prefix):
                fixed = URIRef("http://" + text[len("https://") :])
                if str(fixed).startswith(table):
                    graph.remove((node, predicate, value))
                    graph.add((node, predicate, fixed))


def _health_categories(graph: Graph, dataset: Node) -> None:
    for value in list(graph.objects(dataset, HEALTHDCATAP.healthCategory)):
        mapped = _GDI_CATEGORIES.get(value) if isinstance(value, URIRef) else None
        if mapped is None and isinstance(value, Literal):
            text = str(value).strip().lower()
            if len(text) > 2 and text[0] == "(" and text[2] == ")":
                mapped = _CHOICE_LETTERS.get(text[1])
        if mapped is not None:
            graph.remove((dataset, HEALTHDCATAP.healthCategory, value))
            graph.add((dataset, HEALTHDCATAP.healthCategory, mapped))
    _default(graph, dataset, HEALTHDCATAP.healthCategory, HEALTH_CATEGORY.HGPD)


def _hdab(graph: Graph, dataset: Node) -> None:
    if (dataset, HEALTHDCATAP.hdab, None) in graph:
        return
    controller = graph.value(dataset, GEODCATAP.custodian) or graph.value(
        dataset, DCTERMS.publisher
    )
    if controller is not None:
        graph.add((dataset, HEALTHDCATAP.hdab, controller))


def _structured_data(graph: Graph, dataset: Node) -> None:
    if (dataset, HEALTHDCATAP.hasStructuredData, None) in graph:
        return
    has_variables = (dataset, HEALTHDCATAP.hasVariables, None) in graph
    graph.add((dataset, HEALTHDCATAP.hasStructuredData, Literal(has_variables)))


def _counts(graph: Graph, dataset: Node) -> None:
    for predicate in _COUNTS:
        for value in list(graph.objects(dataset, predicate)):
            if not isinstance(value, Literal) or value.datatype not in _INTEGER_TYPES:
                continue
            try:
                number = int(str(value))
            except ValueError:
                continue
            if number >= 0:
                graph.remove((dataset, predicate, value))
                graph.add(
                    (dataset, predicate, Literal(str(number), datatype=XSD.nonNegativeInteger))
                )


def _legal_bases(graph: Graph, dataset: Node) -> None:
    for basis in graph.objects(dataset, DPV.hasLegalBasis):
        in_dpv = isinstance(basis, URIRef) and str(basis).startswith(str(DPV))
        if in_dpv and (basis, RDF.type, None) not in graph:
            graph.add((basis, RDF.type, DPV.LegalBasis))


def _agent_contact_point(graph: Graph, agent: Node) -> None:
    if not isinstance(agent, URIRef | BNode) or (agent, CV.contactPoint, None) in graph:
        return
    emails: list[str] = []
    pages: list[URIRef] = []
    for kind in graph.objects(agent, DCAT.contactPoint):
        emails.extend(_address(v) for v in graph.objects(kind, VCARD_NS.hasEmail))
        pages.extend(v for v in graph.objects(kind, VCARD_NS.hasURL) if isinstance(v, URIRef))
    if not emails and not pages:
        emails.extend(_address(v) for v in graph.objects(agent, FOAF.mbox))
        pages.extend(v for v in graph.objects(agent, FOAF.homepage) if isinstance(v, URIRef))
    emails = [e for e in dict.fromkeys(emails) if e]
    if not emails and not pages:
        return
    point = BNode()
    graph.add((agent, CV.contactPoint, point))
    graph.add((point, RDF.type, CV.ContactPoint))
    for email in emails:
        graph.add((point, CV.email, Literal(email)))
    for page in dict.fromkeys(pages):
        graph.add((point, CV.contactPage, page))


def _address(value: Node) -> str:
    text = str(value).strip()
    return text[len("mailto:") :] if text.lower().startswith("mailto:") else text


def _email_iris(graph: Graph, kind: Node) -> None:
    for value in list(graph.objects(kind, VCARD_NS.hasEmail)):
        if isinstance(value, Literal):
            graph.remove((kind, VCARD_NS.hasEmail, value))
            graph.add((kind, VCARD_NS.hasEmail, URIRef("mailto:" + _address(value))))
