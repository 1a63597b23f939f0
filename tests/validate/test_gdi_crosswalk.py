"""GDI -> HealthDCAT-AP R8: only derivable facts and documented defaults are added."""

from __future__ import annotations

from example_data import GDI_RECORD, OFFICIAL, load
from rdflib import Graph, Literal, Namespace, URIRef

from gdcat.validate import gdi_to_healthdcat
from gdcat.vocab import CV, DATA_THEME, DATASET_TYPE, HEALTH_CATEGORY, HEALTHDCATAP, PREFIXES

RDF = Namespace(PREFIXES["rdf"])
DCAT = Namespace(PREFIXES["dcat"])
DCT = Namespace(PREFIXES["dct"])
DCATAP = Namespace(PREFIXES["dcatap"])
EHDS = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")
DATASET = URIRef("https://gdi.example.nl/dataset-goe-nl-1")


def test_input_is_left_untouched_and_kept_whole() -> None:
    graph = load(GDI_RECORD)
    before = set(graph)
    out = gdi_to_healthdcat(graph)
    assert set(graph) == before
    removed = before - set(out)
    # Only rewritten values disappear: the GDI health category and the https dataset type.
    assert {t[1] for t in removed} <= {HEALTHDCATAP.healthCategory, DCT.type}


def test_gdi_values_become_release_8_values() -> None:
    out = gdi_to_healthdcat(load(GDI_RECORD))
    assert set(out.objects(DATASET, HEALTHDCATAP.healthCategory)) == {HEALTH_CATEGORY.HGPD}
    assert set(out.objects(DATASET, DCT.type)) == {DATASET_TYPE.SYNTHETIC_DATA}
    assert out.value(DATASET, HEALTHDCATAP.hasStructuredData) == Literal(False)


def test_contact_points_are_built_from_vcards() -> None:
    out = gdi_to_healthdcat(load(GDI_RECORD))
    hdab = out.value(DATASET, HEALTHDCATAP.hdab)
    point = out.value(hdab, CV.contactPoint)
    assert (point, RDF.type, CV.ContactPoint) in out
    assert out.value(point, CV.email) == Literal("info@hdab.example.nl")


def test_health_ri_record_gets_defaults_but_nothing_invented() -> None:
    graph = load(OFFICIAL / "health-ri-v2" / "example-dataset.ttl")
    out = gdi_to_healthdcat(graph)
    dataset = URIRef("http://example.com/dataset")
    # documented defaults
    assert (dataset, DCAT.theme, DATA_THEME.HEAL) in out
    assert (dataset, HEALTHDCATAP.healthCategory, HEALTH_CATEGORY.HGPD) in out
    # a theme outside the EU table is kept as dct:subject (dcat:theme implies it)
    assert (dataset, DCT.subject, URIRef("http://www.wikidata.org/entity/Q1141613")) in out
    assert (dataset, DCAT.theme, URIRef("http://www.wikidata.org/entity/Q1141613")) not in out
    # no HDAB given: GDI's interim rule names the organisation that publishes the data
    publisher = out.value(dataset, DCT.publisher)
    assert out.value(dataset, HEALTHDCATAP.hdab) == publisher
    # its contact point comes from foaf:mbox
    point = out.value(publisher, CV.contactPoint)
    assert out.value(point, CV.email) == Literal("j.k.Rowling@example.com")
    # nothing invented: no distribution, access rights as given
    assert (dataset, DCAT.distribution, None) not in out
    assert len(set(out.objects(dataset, DCT.accessRights))) == 1


def test_catalogue_and_distribution_get_the_ehds() -> None:
    graph = Graph()
    catalogue, distribution = URIRef("https://e.org/c"), URIRef("https://e.org/x")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    out = gdi_to_healthdcat(graph)
    assert (catalogue, DCATAP.applicableLegislation, EHDS) in out
    assert (distribution, DCATAP.applicableLegislation, EHDS) in out
