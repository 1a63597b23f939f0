"""The demo at benchmark scale: 10,000–100,000 records written straight as Turtle text.

Building rdflib graphs for a hundred thousand records takes minutes; here each record is one
string template filled from a seeded generator (about 50 triples a record: titles in two
languages, publisher, contact, theme, keywords, country, access rights, counts, ages,
sequencing type, DUO terms, HPO / ORDO / MONDO terms, one or two distributions), while the
agents, contact points and type declarations are written once per node. The records validate
like the full demo's: they carry everything HealthDCAT-AP Release 8 requires at their access
level and gdcat's required genomic fields.

``write_scale_federation`` writes one Turtle (or N-Triples) file per country;
``iter_record_documents`` and ``generate_records`` give standalone records (each with the
shared nodes it needs) for tests and small samples.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from gdcat.demo.countries import COUNTRIES, PHRASES, Country
from gdcat.demo.plan import KINDS, _allocate, node_base
from gdcat.demo.render import EHDS, NodeRenderer
from gdcat.demo.terms import (
    DISEASES,
    DUO_MODIFIERS,
    PLATFORMS,
    duo_iri,
    gdcat_concept,
    hpo_iri,
)
from gdcat.demo.turtle import TripleList, write_turtle
from gdcat.errors import GdcatError
from gdcat.store.quads import escape_literal

_FORMATS = {"turtle": ".ttl", "ntriples": ".nt"}
_PERMISSIONS = ("GRU", "HMB", "HMB", "DS")
_READINESS = (("READY", 5), ("CONDITIONAL", 3), ("NOT_READY", 2))
_BARRIERS = ("ETHICS_APPROVAL", "LEGAL_BASIS", "CLINICAL_LINKAGE", "TECHNICAL")


def _q(text: str) -> str:
    return '"' + escape_literal(text) + '"'


def _iri(iri: str) -> str:
    return f"<{iri}>"


def _n(value: int) -> str:
    return f'"{value}"^^xsd:nonNegativeInteger'


@dataclass(frozen=True)
class ScaleNode:
    country: Country
    base: str
    count: int


def scale_nodes(n: int) -> list[ScaleNode]:
    """How the ``n`` records are spread over the countries (same weights as the demo)."""
    counts = _allocate(n, [c.weight for c in COUNTRIES])
    return [ScaleNode(c, node_base(c.code), k) for c, k in zip(COUNTRIES, counts, strict=True)]


class _RecordWriter:
    """Fills the record template for one node."""

    def __init__(self, node: ScaleNode, rng: random.Random) -> None:
        self.node = node
        self.rng = rng
        c = node.country
        self.renderer = NodeRenderer(c, node.base)
        self.lang = c.language
        self.phrases = PHRASES[self.lang]
        self.kinds = [k for k in KINDS.values() if k.key != "wes_series"]
        self.weights = [k.weight for k in self.kinds]
        self.hdab = _iri(str(self.renderer.agent(c.hdab)))
        self.ehds = _iri(str(EHDS))
        self.permit_licence = _iri(f"{node.base}licence/data-permit")

    def header(self) -> TripleList:
        triples = TripleList()
        self.renderer.shared(triples)
        return triples

    def record(self, serial: int) -> tuple[str, str]:
        """(dataset IRI, Turtle block) of the ``serial``-th record of the node."""
        rng = self.rng
        c = self.node.country
        kind = rng.choices(self.kinds, self.weights)[0]
        holder = getattr(c, kind.holder)
        ident = f"{c.code.upper()}-{kind.code}-S{serial:06d}"
        ds = f"{self.node.base}dataset/{ident.lower()}"
        year0 = rng.randint(2012, 2021)
        year1 = min(year0 + rng.randint(1, 5), 2024)
        lo, hi = kind.individuals
        n = int(lo * (hi / lo) ** rng.random())
        seq = kind.sequencing
        aggregated = kind.key == "aggregated"
        access = "PUBLIC" if aggregated else ("RESTRICTED" if rng.random() < 0.18 else "NON_PUBLIC")
        diseases = []
        if kind.disease_area is not None:
            pool = [d for d in DISEASES if d.area == kind.disease_area]
            diseases = rng.sample(pool, rng.randint(1, 2))
        focus = ", ".join(d.label for d in diseases)
        title_en = PHRASES["en"].kinds[kind.key] + (f": {focus}" if focus else "")
        title_nat = self.phrases.kinds[kind.key]
        inst_en = holder.english
        lines = [
            f"{_iri(ds)} a dcat:Dataset",
            f"dct:identifier {_q(ident)}",
            f"dct:title {_q(f'{title_nat} – {holder.native}, {year0}–{year1}')}@{self.lang}, "
            f"{_q(f'{title_en} – {inst_en}, {year0}–{year1}')}@en",
            "dct:description "
            + _q(
                PHRASES["en"].description.format(
                    kind=PHRASES["en"].kinds[kind.key], n=n, y0=year0, y1=year1, inst=inst_en
                )
            )
            + "@en",
            "dcat:keyword "
            + ", ".join(
                [f"{_q(k)}@en" for k in kind.keywords[:2]]
                + [f"{_q(self.phrases.keyword)}@{self.lang}"]
            ),
            f"dct:accessRights access:{access}",
            f"dcatap:applicableLegislation {self.ehds}",
            "dcat:theme theme:HEAL",
            "healthdcatap:healthCategory hcat:HGPD",
            "dct:type dstype:STATISTICAL",
            f"dct:publisher {_iri(str(self.renderer.agent(holder)))}",
            f"healthdcatap:hdab {self.hdab}",
            f"dcat:contactPoint {_iri(str(self.renderer.contact(holder)))}",
            f"dct:spatial country:{c.iso3}",
            f'dct:issued "{year1 + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^xsd:date',
            f"dct:provenance {_iri(ds + '#provenance')}",
            "healthdcatap:hasStructuredData false",
            f"healthdcatap:numberOfUniqueIndividuals {_n(n)}",
            f"healthdcatap:minTypicalAge {_n(kind.ages[0])}",
            f"healthdcatap:maxTypicalAge {_n(kind.ages[1])}",
            f"gdcat:sequencingType {_iri(gdcat_concept('sequencing-type', seq))}",
            "gdcat:referenceGenome "
            + _iri(gdcat_concept("reference-genome", rng.choice(kind.reference_genomes))),
            f"gdcat:sequencingPlatform {_q(rng.choice(PLATFORMS[seq]))}",
            "gdcat:genomicFileFormat "
            + ", ".join(_iri(gdcat_concept("file-format", f)) for f in rng.choice(kind.formats)),
        ]
        if seq in ("WGS", "LONGREAD"):
            lines.append(f"gdcat:numberOfGenomes {_n(n)}")
        elif seq == "WES":
            lines.append(f"gdcat:numberOfExomes {_n(n)}")
        if not aggregated:
            lines.append(f"gdcat:numberOfSamples {_n(n + rng.randint(0, max(1, n // 20)))}")
        if aggregated:
            permission, modifiers, readiness, barriers = "NRES", [], "READY", []
            consent, clinical = "BROAD", False
        else:
            permission = "DS" if diseases and rng.random() < 0.3 else rng.choice(_PERMISSIONS[:3])
            modifiers = sorted(rng.sample(list(DUO_MODIFIERS), rng.randint(0, 2)))
            readiness = rng.choices([r for r, _ in _READINESS], [w for _, w in _READINESS])[0]
            barriers = (
                []
                if readiness == "READY"
                else (["CONSENT"] if readiness == "NOT_READY" else [rng.choice(_BARRIERS)])
            )
            consent = "CLINICAL_ONLY" if "CONSENT" in barriers else "BROAD"
            clinical = "CLINICAL_LINKAGE" not in barriers and rng.random() < 0.7
        lines.append(f"gdcat:dataUsePermission {_iri(duo_iri(permission))}")
        if modifiers:
            lines.append("gdcat:dataUseModifier " + ", ".join(_iri(duo_iri(m)) for m in modifiers))
        phenotypes = list(dict.fromkeys(hp for d in diseases for hp in d.phenotypes))
        if phenotypes and not aggregated:
            lines.append("gdcat:phenotype " + ", ".join(_iri(hpo_iri(hp)) for hp in phenotypes))
        if diseases:
            lines.append("gdcat:disease " + ", ".join(_iri(d.iri) for d in diseases))
        lines.append(f"gdcat:hasLinkedClinicalData {'true' if clinical else 'false'}")
        lines.append(f"gdcat:consentStatus {_iri(gdcat_concept('consent-status', consent))}")
        lines.append(f"gdcat:oneMgReadiness {_iri(gdcat_concept('readiness', readiness))}")
        if barriers:
            lines.append(
                "gdcat:sharingBarrier "
                + ", ".join(_iri(gdcat_concept("sharing-barrier", b)) for b in barriers)
            )
        ident_l = ident.lower()
        cc = c.code
        dists: list[tuple[str, str, str, str, str]] = []
        if aggregated:
            dists.append(
                (
                    "allele-frequencies",
                    "Sites-only VCF with allele frequencies.",
                    f"https://download.{cc}.demo.gdcat.eu/{ident_l}/",
                    "VCF",
                    "licence:CC_BY_4_0",
                )
            )
        else:
            dists.append(
                (
                    "data-permit",
                    "Apply for a data permit to the health data access body.",
                    f"https://hdab.{cc}.demo.gdcat.eu/applications/new/{ident_l}",
                    "HTML",
                    self.permit_licence,
                )
            )
            if rng.random() < 0.6:
                dists.append(
                    (
                        "variants",
                        "Variant calls in the secure processing environment.",
                        f"https://sde.{cc}.demo.gdcat.eu/datasets/{ident_l}/",
                        "VCF",
                        self.permit_licence,
                    )
                )
        lines.append(
            "dcat:distribution " + ", ".join(_iri(f"{ds}/distribution/{d[0]}") for d in dists)
        )
        block = " ;\n    ".join(lines) + " .\n"
        block += (
            f"{_iri(ds + '#provenance')} a dct:ProvenanceStatement ;\n    rdfs:label "
            f"{_q(f'Collected and sequenced at {inst_en}.')}@en .\n"
        )
        for name, description, url, fmt, licence in dists:
            block += (
                f"{_iri(f'{ds}/distribution/{name}')} a dcat:Distribution ;\n"
                f"    dct:description {_q(description)}@en ;\n"
                f"    dcatap:applicableLegislation {self.ehds} ;\n"
                f"    dcat:accessURL {_iri(url)} ;\n"
                f"    dct:format filetype:{fmt} ;\n"
                f"    dct:license {licence} ;\n"
                f"    dcatap:availability avail:AVAILABLE .\n"
            )
        return ds, block


def _node_rng(seed: int, node: ScaleNode) -> random.Random:
    """Each node draws from its own generator, so files can be written in any order."""
    return random.Random(f"gdcat-demo-scale-{seed}-{node.country.code}")


def _prefix_block(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))


def iter_node_documents(n: int, seed: int = 1) -> Iterator[tuple[ScaleNode, Iterator[str]]]:
    """For each node, the chunks of its Turtle document: header, records, catalogue."""
    for node in scale_nodes(n):
        yield node, _node_chunks(_RecordWriter(node, _node_rng(seed, node)), node)


def _node_chunks(writer: _RecordWriter, node: ScaleNode) -> Iterator[str]:
    prefixes = writer.renderer.prefixes()
    yield _prefix_block(prefixes)
    yield write_turtle(writer.header(), prefixes).split("\n\n", 1)[1]
    datasets = []
    for serial in range(1, node.count + 1):
        ds, block = writer.record(serial)
        datasets.append(ds)
        yield "\n" + block
    c = node.country
    catalogue = (
        f"\n{_iri(str(writer.renderer.catalog))} a dcat:Catalog ;\n"
        f"    dct:title {_q(PHRASES['en'].catalogue.format(country=c.english))}@en ;\n"
        f"    dct:description {_q(f'Genomic datasets of {c.english} (benchmark scale).')}@en ;\n"
        f"    dct:publisher {_iri(str(writer.renderer.agent(c.genome_centre)))} ;\n"
        f"    dcatap:applicableLegislation {writer.ehds}"
    )
    if datasets:
        catalogue += " ;\n    dcat:dataset " + ",\n        ".join(_iri(d) for d in datasets)
    yield catalogue + " .\n"


def write_scale_federation(
    n: int, out_dir: Path, *, seed: int = 1, fmt: str = "turtle"
) -> list[Path]:
    """Write ``n`` records spread over the countries: one file per node (``<id>.ttl`` or
    ``<id>.nt``). N-Triples is converted from the Turtle by Oxigraph."""
    if fmt not in _FORMATS:
        raise GdcatError(f"unknown scale format {fmt!r}; choose one of {sorted(_FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for node, chunks in iter_node_documents(n, seed):
        path = out_dir / f"{node.country.code}{_FORMATS[fmt]}"
        text = "".join(chunks)
        if fmt == "turtle":
            path.write_text(text, encoding="utf-8")
        else:
            triples = ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE)
            with path.open("wb") as out:
                ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
        paths.append(path)
    return paths


def iter_record_documents(n: int, seed: int = 1) -> Iterator[str]:
    """``n`` standalone Turtle documents, one record each with the shared nodes it uses."""
    for node in scale_nodes(n):
        writer = _RecordWriter(node, _node_rng(seed, node))
        prefixes = writer.renderer.prefixes()
        head = write_turtle(writer.header(), prefixes)
        body_prefixes = _prefix_block(prefixes)
        shared = head.split("\n\n", 1)[1]
        for serial in range(1, node.count + 1):
            _, block = writer.record(serial)
            yield body_prefixes + "\n" + shared + "\n" + block


def generate_records(n: int, seed: int = 1) -> Iterator[Graph]:
    """``n`` standalone records as rdflib graphs (for samples; use the writers for volume)."""
    for text in iter_record_documents(n, seed):
        yield Graph().parse(data=text, format="turtle")
