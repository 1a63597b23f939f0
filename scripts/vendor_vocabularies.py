#!/usr/bin/env python3
"""Copy (and, for the large tables, shrink) the controlled vocabularies gdcat validates against.

Usage::

    python scripts/vendor_vocabularies.py SOURCE_DIR [TARGET_DIR]

``SOURCE_DIR`` is a folder laid out like the shared vocabulary collection the project was
built from (``eu-authority-tables/``, ``adms/``, ``healthdcat-ap-r8/``, ``duo/``, ``hpo/``);
``TARGET_DIR`` defaults to ``ontologies/vocabularies`` of this checkout.

What it writes (documented in ``ontologies/SOURCES.md``, section "Vendored vocabularies"):

* small files: unchanged byte copies;
* ``countries``, ``places`` and ``language``: gzip-compressed N-Triples keeping every triple
  except literals whose language tag is not English (``*.en.nt.gz``; the language table has no
  labels at all, so it keeps every triple).  gdcat reads ``.nt.gz`` transparently;
* ``hpo/hpo-slice.ttl``: a slice of ``hp.obo``: the terms listed in ``HPO_SEEDS`` plus every
  term down to two levels below *Phenotypic abnormality* (HP:0000118), each with all its
  ``is_a`` ancestors (so every path up to HP:0000118 is complete), as OWL classes with
  ``rdfs:label`` and ``rdfs:subClassOf``.

The output is deterministic (sorted lines, gzip without a time stamp), so re-running the script
on the same sources gives byte-identical files.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

#: (source path, target path) of files copied byte for byte.
BYTE_COPIES: tuple[tuple[str, str], ...] = (
    ("eu-authority-tables/access-right-skos.rdf", "eu-authority-tables/access-right-skos.rdf"),
    ("eu-authority-tables/continents-skos.rdf", "eu-authority-tables/continents-skos.rdf"),
    ("eu-authority-tables/data-theme-skos.rdf", "eu-authority-tables/data-theme-skos.rdf"),
    ("eu-authority-tables/dataset-type.en.ttl", "eu-authority-tables/dataset-type.en.ttl"),
    (
        "eu-authority-tables/distribution-status-skos.rdf",
        "eu-authority-tables/distribution-status-skos.rdf",
    ),
    ("eu-authority-tables/file-type.rdf", "eu-authority-tables/file-type.rdf"),
    ("eu-authority-tables/frequency.rdf", "eu-authority-tables/frequency.rdf"),
    ("eu-authority-tables/licences-skos.rdf", "eu-authority-tables/licences-skos.rdf"),
    (
        "eu-authority-tables/planned-availability.facts.ttl",
        "eu-authority-tables/planned-availability.facts.ttl",
    ),
    ("adms/ADMS_SKOS_v1.00.rdf", "adms/ADMS_SKOS_v1.00.rdf"),
    ("healthdcat-ap-r8/coding-system.en.ttl", "healthdcat-ap-r8/coding-system.en.ttl"),
    ("healthdcat-ap-r8/health-activity.en.ttl", "healthdcat-ap-r8/health-activity.en.ttl"),
    ("healthdcat-ap-r8/health-theme.en.ttl", "healthdcat-ap-r8/health-theme.en.ttl"),
    ("healthdcat-ap-r8/healthcategories.en.ttl", "healthdcat-ap-r8/healthcategories.en.ttl"),
    ("healthdcat-ap-r8/publisher-type.en.ttl", "healthdcat-ap-r8/publisher-type.en.ttl"),
    ("healthdcat-ap-r8/standard.en.ttl", "healthdcat-ap-r8/standard.en.ttl"),
    ("duo/duo.owl", "duo/duo.owl"),
)

#: (source RDF/XML, target N-Triples gzip) of the large tables reduced to English.
ENGLISH_EXTRACTS: tuple[tuple[str, str], ...] = (
    ("eu-authority-tables/countries-skos.rdf", "eu-authority-tables/countries-skos.en.nt.gz"),
    ("eu-authority-tables/places-skos.rdf", "eu-authority-tables/places-skos.en.nt.gz"),
    ("eu-authority-tables/language.rdf", "eu-authority-tables/language.en.nt.gz"),
)

HPO_TOP = "HP:0000118"
HPO_DEPTH = 2
#: Phenotypes named by gdcat's examples, tests and demo generator (genomics, rare disease,
#: cardiology, oncology, neurology, metabolism).  Every one must exist in the HPO release.
HPO_SEEDS: tuple[str, ...] = (
    "HP:0001250",  # Seizure
    "HP:0001249",  # Intellectual disability
    "HP:0001263",  # Global developmental delay
    "HP:0000717",  # Autism
    "HP:0000252",  # Microcephaly
    "HP:0000256",  # Macrocephaly
    "HP:0001251",  # Ataxia
    "HP:0001252",  # Hypotonia
    "HP:0001257",  # Spasticity
    "HP:0002353",  # EEG abnormality
    "HP:0000365",  # Hearing impairment
    "HP:0000510",  # Rod-cone dystrophy
    "HP:0000505",  # Visual impairment
    "HP:0000175",  # Cleft palate
    "HP:0010442",  # Polydactyly
    "HP:0004322",  # Short stature
    "HP:0001519",  # Disproportionate tall stature
    "HP:0001166",  # Arachnodactyly
    "HP:0002616",  # Aortic root aneurysm
    "HP:0001639",  # Hypertrophic cardiomyopathy
    "HP:0001644",  # Dilated cardiomyopathy
    "HP:0001657",  # Prolonged QT interval
    "HP:0011675",  # Arrhythmia
    "HP:0001645",  # Sudden cardiac death
    "HP:0001629",  # Ventricular septal defect
    "HP:0000822",  # Hypertension
    "HP:0003124",  # Hypercholesterolemia
    "HP:0001513",  # Obesity
    "HP:0005978",  # Type II diabetes mellitus
    "HP:0000819",  # Diabetes mellitus
    "HP:0003002",  # Breast carcinoma
    "HP:0003003",  # Colon cancer
    "HP:0100273",  # Neoplasm of the colon
    "HP:0100615",  # Ovarian neoplasm
    "HP:0002664",  # Neoplasm
    "HP:0002863",  # Myelodysplasia
    "HP:0001909",  # Leukemia
    "HP:0002665",  # Lymphoma
    "HP:0012125",  # Prostate cancer
    "HP:0100526",  # Neoplasm of the lung
    "HP:0003560",  # Muscular dystrophy
    "HP:0003236",  # Elevated circulating creatine kinase concentration
    "HP:0003198",  # Myopathy
    "HP:0002650",  # Scoliosis
    "HP:0000107",  # Renal cyst
    "HP:0000083",  # Renal insufficiency
    "HP:0001394",  # Cirrhosis
    "HP:0002240",  # Hepatomegaly
    "HP:0001903",  # Anemia
    "HP:0001873",  # Thrombocytopenia
    "HP:0002721",  # Immunodeficiency
    "HP:0002099",  # Asthma
    "HP:0006528",  # Chronic lung disease
    "HP:0002110",  # Bronchiectasis
    "HP:0000006",  # Autosomal dominant inheritance (mode of inheritance branch)
    "HP:0000007",  # Autosomal recessive inheritance
    "HP:0001417",  # X-linked inheritance
    "HP:0003577",  # Congenital onset
    "HP:0003581",  # Adult onset
)

HEADER_PREFIXES = """@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def _write_gzip(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(lines).encode("utf-8")
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(data)


def english_extract(source: Path, target: Path) -> int:
    """Write ``source`` as sorted N-Triples without non-English literals; return the count.

    Blank nodes get labels in order of first appearance, so that the output does not depend
    on the random labels the parser makes up.
    """
    labels: dict[str, str] = {}

    def term(node: object) -> str:
        if isinstance(node, ox.BlankNode):
            return "_:" + labels.setdefault(node.value, f"b{len(labels)}")
        return str(node)

    lines = set()
    for triple in ox.parse(path=source, format=ox.RdfFormat.RDF_XML):
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.language and obj.language.lower() != "en":
            continue
        lines.add(f"{term(triple.subject)} {triple.predicate} {term(obj)} .\n")
    _write_gzip(target, sorted(lines))
    return len(lines)


def _parse_obo(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    current: str | None = None
    obsolete = False
    in_term = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            if current and obsolete:
                labels.pop(current, None)
                parents.pop(current, None)
            in_term = line == "[Term]"
            current, obsolete = None, False
            continue
        if not in_term or not line:
            continue
        key, _, value = line.partition(": ")
        if key == "id":
            current = value
            parents[current] = []
        elif current is None:
            continue
        elif key == "name":
            labels[current] = value
        elif key == "is_a":
            parents[current].append(value.split(" ", 1)[0])
        elif key == "is_obsolete" and value == "true":
            obsolete = True
    if current and obsolete:
        labels.pop(current, None)
        parents.pop(current, None)
    return labels, parents


def _iri(curie: str) -> str:
    return "obo:" + curie.replace(":", "_")


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hpo_slice(source: Path, target: Path) -> int:
    """Write the HPO slice described in the module docstring; return the number of terms."""
    labels, parents = _parse_obo(source)
    children: dict[str, list[str]] = {}
    for term, ups in parents.items():
        for up in ups:
            children.setdefault(up, []).append(term)
    missing = [seed for seed in HPO_SEEDS if seed not in labels]
    if missing:
        raise SystemExit(f"HPO seed terms not in {source}: {', '.join(missing)}")
    chosen: set[str] = set(HPO_SEEDS)
    frontier = [HPO_TOP]
    for _ in range(HPO_DEPTH + 1):
        chosen.update(frontier)
        frontier = [child for term in frontier for child in children.get(term, [])]
    todo = list(chosen)
    while todo:
        term = todo.pop()
        for up in parents.get(term, []):
            if up not in chosen:
                chosen.add(up)
                todo.append(up)
    out = [
        "# Slice of the Human Phenotype Ontology (hp.obo, data-version hp/releases/2025-01-16).\n",
        "# Generated by scripts/vendor_vocabularies.py: the seed terms gdcat's examples use plus\n",
        f"# every term down to {HPO_DEPTH} levels below {HPO_TOP}, with all their is_a\n",
        "# ancestors.\n",
        "# Only ids, labels and is_a links are kept; content is otherwise unaltered.\n",
        "# HPO licence: https://hpo.jax.org/app/license (cite HPO and its version).\n",
        HEADER_PREFIXES,
        "\n",
    ]
    for term in sorted(chosen):
        lines = [f"{_iri(term)} a owl:Class", f"    rdfs:label {_turtle_string(labels[term])}"]
        lines += [f"    rdfs:subClassOf {_iri(up)}" for up in sorted(parents.get(term, []))]
        out.append(" ;\n".join(lines) + " .\n\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(out), encoding="utf-8")
    return len(chosen)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    source = Path(argv[1])
    target = (
        Path(argv[2])
        if len(argv) > 2
        else Path(__file__).resolve().parents[1] / "ontologies" / "vocabularies"
    )
    for src, dst in BYTE_COPIES:
        out = target / dst
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / src, out)
        print(f"copied    {dst}")
    for src, dst in ENGLISH_EXTRACTS:
        count = english_extract(source / src, target / dst)
        print(f"extracted {dst} ({count} triples)")
    terms = hpo_slice(source / "hpo" / "hp.obo", target / "hpo" / "hpo-slice.ttl")
    print(f"sliced    hpo/hpo-slice.ttl ({terms} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
