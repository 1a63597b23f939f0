"""Records for the search tests: the demo's scale generator, and hand-built ones."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from gdcat.demo import generate_records
from gdcat.store import RecordMeta, RecordWrite
from gdcat.vocab import ACCESS_RIGHT, COUNTRY, GDCAT, GDCATV, HEALTHDCATAP

OBO = "http://purl.obolibrary.org/obo/"


def demo_writes(n: int, seed: int = 3) -> list[RecordWrite]:
    """``n`` demo records (scale generator), each with a catalogue record of its node."""
    writes = []
    for graph in generate_records(n, seed):
        dataset = next(s for s in graph.subjects(RDF.type, DCAT.Dataset))
        node = str(dataset).split("//fdp.", 1)[1].split(".", 1)[0]
        digest = hashlib.sha256(graph.serialize(format="nt").encode()).hexdigest()
        meta = RecordMeta(f"https://fdp.{node}.example/", digest, "gdcat", "conforms", node=node)
        writes.append(RecordWrite(str(dataset), graph, meta))
    return writes


@dataclass
class Hand:
    """A small hand-built dataset record."""

    iri: str
    title: str = "A genomic cohort"
    title_lang: str = "en"
    country: str = "ESP"
    kind: str = "Dataset"
    individuals: int | None = 100
    genomes: int | None = 100
    sequencing: str = "WGS"
    permission: str | None = "DUO_0000042"
    modifiers: tuple[str, ...] = ()
    diseases: tuple[str, ...] = ()
    source: str | None = None
    node: str = "es"
    version: int = 1
    extra: list[tuple[URIRef, URIRef, object]] = field(default_factory=list)

    def graph(self) -> Graph:
        g = Graph()
        d = URIRef(self.iri)
        g.add((d, RDF.type, URIRef(str(DCAT) + self.kind)))
        g.add((d, DCTERMS.title, Literal(self.title, lang=self.title_lang)))
        g.add((d, DCTERMS.spatial, COUNTRY[self.country]))
        g.add((d, DCTERMS.accessRights, ACCESS_RIGHT.RESTRICTED))
        g.add((d, GDCAT.sequencingType, URIRef(f"{GDCATV}sequencing-type/{self.sequencing}")))
        if self.individuals is not None:
            count = Literal(str(self.individuals), datatype=XSD.nonNegativeInteger)
            g.add((d, HEALTHDCATAP.numberOfUniqueIndividuals, count))
        if self.genomes is not None:
            count = Literal(str(self.genomes), datatype=XSD.nonNegativeInteger)
            g.add((d, GDCAT.numberOfGenomes, count))
        if self.permission:
            g.add((d, GDCAT.dataUsePermission, URIRef(OBO + self.permission)))
        for modifier in self.modifiers:
            g.add((d, GDCAT.dataUseModifier, URIRef(OBO + modifier)))
        for disease in self.diseases:
            g.add((d, GDCAT.disease, URIRef(disease)))
        if self.source:
            g.add((d, DCTERMS.source, URIRef(self.source)))
        publisher = URIRef(f"https://{self.node}.example/publisher")
        g.add((d, DCTERMS.publisher, publisher))
        g.add((publisher, FOAF.name, Literal(f"Publisher of {self.node}", lang="en")))
        for triple in self.extra:
            g.add(triple)  # type: ignore[arg-type]
        return g

    def write(self) -> RecordWrite:
        digest = hashlib.sha256(f"{self!r}".encode()).hexdigest()
        meta = RecordMeta(
            f"https://{self.node}.example/", digest, "gdcat", "conforms", node=self.node
        )
        return RecordWrite(self.iri, self.graph(), meta)
