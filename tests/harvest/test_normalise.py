"""Normalising harvested records: vocabulary IRI variants and rewritten integer datatypes."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from gdcat.harvest.normalise import normalise
from gdcat.vocab import HEALTHDCATAP

DS = URIRef("https://node.example/dataset/1")


def test_authority_table_and_namespace_variants_take_the_one_spelling() -> None:
    g = Graph()
    g.add(
        (
            DS,
            DCTERMS.accessRights,
            URIRef("https://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"),
        )
    )
    g.add(
        (
            DS,
            DCTERMS.language,
            URIRef("http://publications.acceptance.europa.eu/resource/authority/language/NLD"),
        )
    )
    g.add((DS, URIRef("https://healthdataportal.eu/ns/health#numberOfRecords"), Literal(5)))
    out = normalise(g)
    assert set(out.objects(DS, DCTERMS.accessRights)) == {
        URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")
    }
    assert set(out.objects(DS, DCTERMS.language)) == {
        URIRef("http://publications.europa.eu/resource/authority/language/NLD")
    }
    assert (DS, HEALTHDCATAP.numberOfRecords, None) in out
    assert len(out) == 3


def test_integer_types_rewritten_by_the_node_s_store_are_restored() -> None:
    g = Graph()
    g.add((DS, HEALTHDCATAP.numberOfUniqueIndividuals, Literal("40", datatype=XSD.integer)))
    g.add((DS, DCTERMS.title, Literal("40", datatype=XSD.integer)))  # not an integer-typed slot
    out = normalise(g)
    assert set(out.objects(DS, HEALTHDCATAP.numberOfUniqueIndividuals)) == {
        Literal("40", datatype=XSD.nonNegativeInteger)
    }
    assert set(out.objects(DS, DCTERMS.title)) == {Literal("40", datatype=XSD.integer)}


def test_a_graph_with_nothing_to_change_is_left_as_it_is() -> None:
    g = Graph()
    g.add((DS, DCTERMS.title, Literal("Genomes", lang="en")))
    before = set(g)
    assert set(normalise(g)) == before


def test_a_series_typed_as_a_dataset_too_is_a_series_again() -> None:
    """gdcat's feed types each series ``dcat:Dataset`` as well (for ckanext-dcat); harvested
    back, the added type goes, so the series is no target of the dataset shapes; a dataset
    keeps its type."""
    from rdflib.namespace import DCAT, RDF

    series = URIRef("https://node.example/series/1")
    g = Graph()
    g.add((series, RDF.type, URIRef(f"{DCAT}DatasetSeries")))
    g.add((series, RDF.type, DCAT.Dataset))
    g.add((DS, RDF.type, DCAT.Dataset))
    normalise(g)
    assert set(g.objects(series, RDF.type)) == {URIRef(f"{DCAT}DatasetSeries")}
    assert (DS, RDF.type, DCAT.Dataset) in g
