"""Hand-built records for the store tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from gdcat.store import RecordMeta, RecordWrite
from gdcat.vocab import ACCESS_RIGHT, COUNTRY, GDCAT, GDCATV, HEALTHDCATAP, VCARD

BASE = "http://gdcat.test/"


@dataclass
class DatasetSpec:
    """A hand-built genomic dataset record, described by the figures the inventory counts."""

    iri: str
    countries: tuple[str, ...] = ("ESP",)
    individuals: int | None = None
    genomes: int | None = None
    exomes: int | None = None
    samples: int | None = None
    types: tuple[str, ...] = ("WGS",)
    access: str | None = "RESTRICTED"
    readiness: str | None = "READY"
    clinical: bool | None = None
    title: str = "A genomic cohort"
    keywords: tuple[str, ...] = ()
    byte_sizes: tuple[int, ...] = (1300,)
    series: bool = False
    extra: list[tuple[object, object, object]] = field(default_factory=list)

    def graph(self) -> Graph:
        g = Graph()
        d = URIRef(self.iri)
        g.add((d, RDF.type, URIRef(f"{DCAT}DatasetSeries") if self.series else DCAT.Dataset))
        g.add((d, DCTERMS.title, Literal(self.title, lang="en")))
        for code in self.countries:
            g.add((d, DCTERMS.spatial, COUNTRY[code]))
        counts = (
            (HEALTHDCATAP.numberOfUniqueIndividuals, self.individuals),
            (GDCAT.numberOfGenomes, self.genomes),
            (GDCAT.numberOfExomes, self.exomes),
            (GDCAT.numberOfSamples, self.samples),
        )
        for predicate, value in counts:
            if value is not None:
                g.add((d, predicate, Literal(str(value), datatype=XSD.nonNegativeInteger)))
        for code in self.types:
            g.add((d, GDCAT.sequencingType, URIRef(f"{GDCATV}sequencing-type/{code}")))
        if self.access:
            g.add((d, DCTERMS.accessRights, ACCESS_RIGHT[self.access]))
        if self.readiness:
            g.add((d, GDCAT.oneMgReadiness, URIRef(f"{GDCATV}readiness/{self.readiness}")))
        if self.clinical is not None:
            g.add((d, GDCAT.hasLinkedClinicalData, Literal(self.clinical)))
        for keyword in self.keywords:
            g.add((d, DCAT.keyword, Literal(keyword, lang="en")))
        contact = BNode()
        g.add((d, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(f"Desk of {self.iri}")))
        publisher = URIRef("http://node.example.org/publisher")
        g.add((d, DCTERMS.publisher, publisher))
        g.add((publisher, FOAF.name, Literal("The node")))
        for size in self.byte_sizes:
            dist = BNode()
            g.add((d, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.byteSize, Literal(str(size), datatype=XSD.nonNegativeInteger)))
        for triple in self.extra:
            g.add(triple)  # type: ignore[arg-type]
        return g


def meta(content_hash: str = "h1", **kwargs: object) -> RecordMeta:
    values: dict[str, object] = {
        "source": "https://node.example.org/catalog.ttl",
        "content_hash": content_hash,
        "profile": "gdcat",
        "outcome": "conforms",
    }
    values.update(kwargs)
    return RecordMeta(**values)  # type: ignore[arg-type]


def write(spec: DatasetSpec, content_hash: str = "h1", **kwargs: object) -> RecordWrite:
    return RecordWrite(spec.iri, spec.graph(), meta(content_hash, **kwargs))
