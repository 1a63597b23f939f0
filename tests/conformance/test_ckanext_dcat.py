"""ckanext-dcat's RDF parser (the GDI portal's harvester) reads what gdcat re-publishes.

The parser runs in an environment of its own (CKAN pins versions gdcat cannot share), made once
from ``ckanext_dcat/requirements.txt`` with pip from PyPI into the cache folder, as the W3C
SPARQL suites install their runner. It is given gdcat's feed (every page, in Turtle) and the
landing pages of every series and of some datasets (in RDF/XML, ckanext-dcat's default): every
dataset and every series gdcat serves must come out of it, with its title and resources.
ckanext-dcat takes only the subjects typed ``dcat:Dataset``; gdcat types each series so as
well when it publishes it (DCAT 3: a series is a dataset).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from gdcat.store import record_iri

HERE = Path(__file__).parent / "ckanext_dcat"
HYDRA_NEXT = URIRef("http://www.w3.org/ns/hydra/core#next")
SERIES = URIRef(f"{DCAT}DatasetSeries")

pytestmark = pytest.mark.slow


def parser_python() -> Path:
    """The Python of ckanext-dcat's environment, made once per requirements file."""
    requirements = (HERE / "requirements.txt").read_bytes()
    digest = hashlib.sha256(requirements).hexdigest()[:16]
    cache = Path(os.environ.get("GDCAT_CACHE_DIR") or Path.home() / ".cache" / "gdcat")
    target = cache / "ckanext-dcat" / digest
    python = target / "bin" / "python"
    if not python.exists():
        staging = target.with_name(f"{digest}.{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        steps = [
            [sys.executable, "-m", "venv", str(staging)],
            [
                str(staging / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(HERE / "requirements.txt"),
            ],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.fail(f"installing ckanext-dcat failed:\n{done.stdout}\n{done.stderr}")
        try:
            staging.rename(target)  # the venv's scripts name the staging path; python does not
        except OSError:  # another run installed it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return python


def ckanext_dcat_reads(files: list[tuple[str, Path]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(parser_python()), str(HERE / "parse.py"), *(f"{fmt}:{path}" for fmt, path in files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def test_ckanext_dcat_reads_every_dataset_and_series_gdcat_publishes(
    gdcat_server: LiveGdcat, tmp_path: Path
) -> None:
    files: list[tuple[str, Path]] = []
    datasets: set[str] = set()
    series: set[str] = set()
    with httpx.Client(timeout=60) as client:
        url: str | None = gdcat_server.url + "/feed"
        while url:
            answer = client.get(url, headers={"Accept": "text/turtle"})
            assert answer.status_code == 200, answer.text[:300]
            path = tmp_path / f"feed-{len(files)}.ttl"
            path.write_bytes(answer.content)
            files.append(("turtle", path))
            page = Graph().parse(data=answer.content, format="turtle")
            series |= {str(s) for s in page.subjects(RDF.type, SERIES)}
            datasets |= {str(s) for s in page.subjects(RDF.type, DCAT.Dataset)} - series
            following = list(page.objects(None, HYDRA_NEXT))
            url = str(following[0]) if following else None
        assert series, "the demo federation has series"
        pages = sorted(series) + sorted(datasets)[:3]
        for iri in pages:
            key = record_iri(gdcat_server.base, iri).rsplit("/", 1)[1]
            answer = client.get(
                f"{gdcat_server.url}/dataset/{key}", headers={"Accept": "application/rdf+xml"}
            )
            assert answer.status_code == 200, answer.text[:300]
            path = tmp_path / f"page-{len(files)}.rdf"
            path.write_bytes(answer.content)
            files.append(("xml", path))
    stored = {
        iri
        for iri in gdcat_server.store.list_records()
        if any(
            (URIRef(iri), RDF.type, kind) in (gdcat_server.store.get_record(iri) or Graph())
            for kind in (DCAT.Dataset, SERIES)
        )
    }
    assert datasets | series == stored

    read = ckanext_dcat_reads(files)
    from_feed = [d for d in read if Path(d["file"]).name.startswith("feed-")]
    by_uri = {d["uri"]: d for d in from_feed}
    assert len(from_feed) == len(by_uri) == len(stored)
    assert set(by_uri) == stored
    for iri in stored:
        assert by_uri[iri]["title"], iri
    for iri in series:
        assert by_uri[iri]["title"], iri  # each series read as a dataset, with its title
    from_pages = {d["uri"] for d in read if Path(d["file"]).name.startswith("page-")}
    assert from_pages == set(pages)
    assert any(d["resources"] for d in from_feed)  # distributions are read as resources
