"""Every record of the third-party corpus (``tests/corpus/``) round-trips unchanged.

Each file is parsed as ``gdcat load`` parses it, its dataset and series records are written to
a real store behind a real gdcat server, read back from the store and fetched from the
server as the record's page in Turtle and in JSON-LD; each must be isomorphic to the record
as parsed (blank nodes and all). Files whose datasets share IRIs with another file's (the
SEMIC examples describe one dataset many ways) are served one file at a time.

Numbers compare by value: the store keeps a number in its canonical form (``dcat:byteSize
43008.0`` of datos.gob.es comes back as ``43008``, the same ``xsd:decimal``), as any SPARQL
store that evaluates them does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from published_layer import record_part, with_linked
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from gdcat.ingest import records_from_paths
from gdcat.store import RecordMeta, RecordWrite, RecordWriteError, record_iri

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(CORPUS))

from outcomes import corpus_files  # noqa: E402

FILES = [str(p.relative_to(CORPUS)) for p in corpus_files()]
FORMS = (("text/turtle", "turtle"), ("application/ld+json", "json-ld"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(Path(tmp_path_factory.mktemp("corpus")), datasets=None) as live:
        yield live


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


NUMBERS = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.nonNegativeInteger}


def by_value(graph: Graph) -> Graph:
    """``graph`` with every number written in one canonical form."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NUMBERS and o.value is not None:
            number = Decimal(str(o.value))
            text = str(int(number)) if number == int(number) else format(number.normalize(), "f")
            o = Literal(text, datatype=o.datatype)
        out.add((s, p, o))
    return out


def test_the_corpus_has_forty_files_in_four_syntaxes() -> None:
    assert len(FILES) >= 40
    assert {Path(f).suffix for f in FILES} >= {".ttl", ".rdf", ".jsonld", ".nt"}


@pytest.mark.parametrize("name", FILES)
def test_every_record_of_the_file_round_trips_unchanged(
    name: str, server: LiveGdcat, client: httpx.Client
) -> None:
    records, unusable, _ = records_from_paths([CORPUS / name], max_bytes=10_000_000)
    datasets = [r for r in records if r.kind != "Document"]
    if unusable or not datasets:
        assert unusable or records, name  # a malformed file, or one without datasets
        return
    meta = RecordMeta(source=name, content_hash="h", profile="dcat-ap-3", outcome="warnings")
    try:
        server.store.put_records([RecordWrite(r.iri, r.graph, meta) for r in datasets])
        written = datasets
    except RecordWriteError as e:
        # A dataset without an IRI (DCAT-AP.de's example 23, ``rdf:nodeID``) has no address
        # to publish it at: refused with the reason, the file's other records written.
        assert all("not a usable dataset IRI" in why for why in e.failures.values()), e
        assert not any(
            r.iri.startswith(("http://", "https://")) for r in datasets if r.iri in e.failures
        )
        written = [r for r in datasets if r.iri in e.written]
    for record in written:
        stored = server.store.get_record(record.iri)
        expected = by_value(record.graph)
        assert stored is not None and isomorphic(by_value(stored), expected), (name, record.iri)
        key = record_iri(server.base, record.iri).rsplit("/", 1)[1]
        url = f"{server.url}/dataset/{key}"
        for media, parser in FORMS:
            answer = client.get(url, headers={"Accept": media})
            assert answer.status_code == 200, (name, record.iri, media, answer.text[:300])
            page = Graph().parse(data=answer.content, format=parser)
            assert (URIRef(record.iri), None, None) in page
            published = with_linked(record.graph, record.iri, server.store)
            back = record_part(page, published, server.base)
            assert isomorphic(by_value(back), by_value(published)), (name, record.iri, media)
