"""Paths and IRIs of the example records the validation tests use."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

DATA = Path(__file__).resolve().parent / "data"
OFFICIAL = DATA / "official"
NON_PUBLIC_EXAMPLE = OFFICIAL / "healthdcat-ap-r8" / "example-healthdcat-dataset.ttl"
ARCA = OFFICIAL / "healthdcat-ap-r8" / "EPRDR" / "ARCA.ttl"
SAMPLE_CATALOGUE = OFFICIAL / "healthdcat-ap-sample" / "example-health-catalog.ttl"
GDI_RECORD = DATA / "gdi" / "gdi-genome-dataset.ttl"

ONCOLOGY = "https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024"
ARCA_IRI = "https://eu-rd-platform.jrc.ec.europa.eu/mdr/detail/ARCA"


def load(path: Path) -> Graph:
    return Graph().parse(path)
