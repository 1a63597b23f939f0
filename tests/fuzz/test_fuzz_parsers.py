"""Fuzzing every parser entry point: whatever the bytes, gdcat parses them or refuses them
with an :class:`InputError`, never another exception and never a crash, in bounded time.

The entry points: :func:`gdcat.rdf.parse_bytes` for each format (what publishing,
``gdcat validate``/``load`` and harvesting call), and a node's JSON answers as the harvester
reads them (a Beacon's ``/info``, ``/filtering_terms`` and ``/datasets`` through real files,
a SPARQL endpoint's JSON results through a real HTTP server). Inputs are random bytes, seed
documents with random splices, and documents built from random text; the hostile corpus of
issue 12 (:mod:`hostile_documents`) goes through the same property and through the command
line. The number of examples is bounded so that the suite takes well under a minute.
"""

from __future__ import annotations

import http.server
import json
import resource
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile_documents import Hostile, corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local_http import loopback_server, serving

from gdcat.errors import InputError
from gdcat.rdf import parse_bytes
from gdcat.rdf.parse import ParseLimits
from gdcat.sources import Document, Failure, HttpClient
from gdcat.sources.beacon import BeaconSource
from gdcat.sources.sparql import SparqlSource

#: Small limits, so that random documents reach them too.
LIMITS = ParseLimits(
    max_document_triples=200, max_nesting_depth=8, max_xml_entities=5, max_xml_entity_expansion=4096
)

FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=10),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

IRI = "https://example.org/fuzz"
SEEDS: dict[str, bytes] = {
    "turtle": (
        b"@prefix dct: <http://purl.org/dc/terms/> .\n"
        b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        b'<https://example.org/fuzz> a dcat:Dataset ; dct:title "T"@en ;\n'
        b'  dcat:distribution [ a dcat:Distribution ; dct:format ( "a" "b" ) ] .\n'
    ),
    "ntriples": b'<https://example.org/fuzz> <http://purl.org/dc/terms/title> "T"@en .\n',
    "nquads": b'<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\n',
    "trig": b"<https://e.org/g> { <https://e.org/s> <https://e.org/p> [ <https://e.org/q> 1 ] }\n",
    "jsonld": json.dumps(
        {
            "@context": {"dct": "http://purl.org/dc/terms/"},
            "@id": IRI,
            "@type": "http://www.w3.org/ns/dcat#Dataset",
            "dct:title": {"@value": "T", "@language": "en"},
            "dct:subject": [{"@id": "https://e.org/a"}, {"@list": [1, 2]}],
        }
    ).encode(),
    "rdfxml": (
        b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "https://example.org/">]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:dct="http://purl.org/dc/terms/">\n'
        b'<rdf:Description rdf:about="&ex;fuzz"><dct:title xml:lang="en">T</dct:title>'
        b'<dct:relation rdf:parseType="Resource"><dct:title>&ex;</dct:title></dct:relation>'
        b"</rdf:Description>\n</rdf:RDF>\n"
    ),
    "yaml": (
        b"id: https://example.org/fuzz\ntitle:\n  en: T\n  nl: [A, B]\n"
        b"description: A dataset.\nkeyword: [a, b]\nissued: 2020-01-02\n"
        b"contact_point:\n  name: N\n  email: mailto:n@example.org\n"
    ),
}

#: Characters parsers treat specially, to splice in more often than chance would.
SPECIAL = st.sampled_from(
    [b"[", b"]", b"(", b"{", b"}", b'"', b"'", b"<", b">", b"&", b";", b"\\", b"\\u0000",
     b"\x00", b"!!python/name:os.system ", b"&ex;", b"<!ENTITY x \"y\">", b"*a", b"&a ",
     b"@context", b"\xff", b"\n", b"#", b"@prefix", b'"""', b"9" * 5000]
)  # fmt: skip


@st.composite
def spliced(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random cuts, insertions and repetitions."""
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "special", "cut", "repeat"]))
        if kind == "insert":
            data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
        elif kind == "special":
            data = data[:at] + draw(SPECIAL) * draw(st.integers(1, 80)) + data[at:]
        elif kind == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 20)) :]
        else:
            end = min(len(data), at + draw(st.integers(1, 12)))
            data = data[:at] + data[at:end] * draw(st.integers(2, 60)) + data[end:]
    return data


def documents(fmt: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        spliced(SEEDS[fmt]),
    )


def parses_or_refuses(data: bytes, fmt: str) -> None:
    try:
        parse_bytes(data, fmt, source=f"fuzz.{fmt}", limits=LIMITS)
    except InputError as e:
        assert str(e)  # a message a user can read


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_any_document_parses_or_is_refused_as_input(fmt: str) -> None:
    @FUZZ
    @given(documents(fmt))
    def check(data: bytes) -> None:
        parses_or_refuses(data, fmt)

    check()


def test_steward_yaml_built_from_random_values_parses_or_is_refused() -> None:
    scalars = st.one_of(
        st.text(max_size=30),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.dates(),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    )
    fields = st.sampled_from(
        ["title", "description", "keyword", "issued", "theme", "contact_point", "publisher", "x"]
    )

    @FUZZ
    @given(st.dictionaries(fields, values, max_size=5), st.booleans())
    def check(record: dict[str, object], as_flow: bool) -> None:
        import yaml

        document = {"id": IRI, **record}
        text = yaml.safe_dump(document, default_flow_style=as_flow, allow_unicode=True)
        parses_or_refuses(text.encode("utf-8", "surrogatepass"), "yaml")

    check()


def test_the_hostile_corpus_is_refused_with_the_fuzzing_limits_too() -> None:
    for hostile in corpus(IRI):
        with pytest.raises(InputError):
            parse_bytes(hostile.data, hostile.fmt, source=hostile.name, limits=LIMITS)


# -- a node's JSON answers, as the harvester reads them ---------------------------------------

json_answers = st.one_of(
    st.binary(max_size=200),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=15,
    ).map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda n, opener: opener * n,
        st.integers(1, 3000),
        st.sampled_from([b"[", b'{"a":', b'{"response": {"filteringTerms": [']),
    ),
    st.just(b'{"response": {"id": "b", "name": "a\\u0000b"}}'),
)


def test_beacon_answers_end_as_a_document_or_a_failure(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("beacon")

    @FUZZ
    @given(json_answers, json_answers, json_answers)
    def check(info: bytes, terms: bytes, datasets: bytes) -> None:
        (root / "info").write_bytes(info)
        (root / "filtering_terms").write_bytes(terms)
        (root / "datasets").write_bytes(datasets)
        with HttpClient() as client:
            items = list(BeaconSource(root.as_uri(), limits=LIMITS).crawl(client, {}))
        assert items and all(isinstance(i, Document | Failure) for i in items)

    check()


@pytest.fixture(scope="module")
def sparql_node() -> Iterator[tuple[str, dict[str, bytes]]]:
    answer: dict[str, bytes] = {"body": b"{}"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = answer["body"]
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(loopback_server(Handler)) as url:
        yield url + "/sparql", answer


def test_sparql_json_answers_end_as_documents_or_a_failure(
    sparql_node: tuple[str, dict[str, bytes]],
) -> None:
    url, answer = sparql_node

    @FUZZ
    @given(json_answers)
    def check(body: bytes) -> None:
        answer["body"] = body
        with HttpClient() as client:
            items = list(SparqlSource(url, max_pages=2, limits=LIMITS).crawl(client, {}))
        assert all(isinstance(i, Document | Failure) for i in items)

    check()


# -- the corpus through the command line ------------------------------------------------------


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))


def test_gdcat_validate_refuses_each_hostile_file_with_exit_2_naming_the_limit(
    tmp_path: Path,
) -> None:
    hostile: list[Hostile] = corpus(IRI)
    paths = []
    for h in hostile:
        path = tmp_path / f"{h.name}{h.extension}"
        path.write_bytes(h.data)
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-c", "from gdcat.cli import main; main()", "validate", *paths],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for h in hostile:
        said = [line for line in lines if f"{h.name}{h.extension}" in line]
        assert said, f"nothing said about {h.name}: {result.stderr[-2000:]}"
        assert h.names in said[0], said[0]
