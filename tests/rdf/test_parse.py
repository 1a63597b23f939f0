"""Safe parsing: clear errors with positions, size limits, and no network access ever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from gdcat.errors import (
    ForbiddenNetworkAccessError,
    PayloadTooLargeError,
    RdfSyntaxError,
    UnsupportedFormatError,
)
from gdcat.rdf import format_for_path, parse_bytes, parse_file, parse_paths

EX = "http://example.org/"


def test_turtle_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    with pytest.raises(RdfSyntaxError) as info:
        parse_file(path)
    assert info.value.location is not None
    assert info.value.location.source == str(path)
    assert info.value.location.line == 3
    assert info.value.location.column is not None
    assert str(path) + ":3:" in str(info.value)


def test_rdfxml_error_has_a_line() -> None:
    data = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        b'<rdf:Description rdf:about="http://example.org/a">\n</rdf:RDF>'
    )
    with pytest.raises(RdfSyntaxError) as info:
        parse_bytes(data, "rdfxml", source="x.rdf")
    assert info.value.location is not None and info.value.location.line == 3


def test_json_error_has_line_and_column() -> None:
    with pytest.raises(RdfSyntaxError) as info:
        parse_bytes(b'{\n  "@id": "http://example.org/a",,\n}', "jsonld", source="x.jsonld")
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 33)


def test_remote_jsonld_context_is_refused_without_a_request(recording_server) -> None:  # type: ignore[no-untyped-def]
    doc = {"@context": recording_server.url + "/ctx.jsonld", "@id": EX + "a", "name": "x"}
    with pytest.raises(ForbiddenNetworkAccessError, match="remote @context"):
        parse_bytes(json.dumps(doc).encode(), "jsonld", source="remote.jsonld")
    assert recording_server.requests == []


def test_nested_and_imported_remote_contexts_are_refused(recording_server) -> None:  # type: ignore[no-untyped-def]
    nested = {
        "@context": {"knows": {"@id": EX + "knows", "@context": recording_server.url + "/c"}},
        "@id": EX + "a",
    }
    imported = {"@context": {"@version": 1.1, "@import": recording_server.url + "/i"}}
    for doc in (nested, imported):
        with pytest.raises(ForbiddenNetworkAccessError):
            parse_bytes(json.dumps(doc).encode(), "jsonld")
    assert recording_server.requests == []


def test_inline_jsonld_context_parses() -> None:
    doc = {
        "@context": {"ex": EX, "size": {"@id": EX + "size", "@type": str(XSD.nonNegativeInteger)}},
        "@id": EX + "a",
        "size": "7",
        "ex:title": {"@value": "Genomen", "@language": "nl"},
    }
    graph = parse_bytes(json.dumps(doc).encode(), "jsonld")
    assert (
        URIRef(EX + "a"),
        URIRef(EX + "size"),
        Literal("7", datatype=XSD.nonNegativeInteger),
    ) in graph
    assert (URIRef(EX + "a"), URIRef(EX + "title"), Literal("Genomen", lang="nl")) in graph


def test_xml_external_entity_is_refused_without_a_request(recording_server) -> None:  # type: ignore[no-untyped-def]
    data = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "{recording_server.url}/secret"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n'
        '<rdf:Description rdf:about="http://example.org/a"><ex:p>&ext;</ex:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()
    with pytest.raises(ForbiddenNetworkAccessError, match="external entity 'ext'") as info:
        parse_bytes(data, "rdfxml", source="xxe.rdf")
    assert info.value.location is not None and info.value.location.line == 2
    assert recording_server.requests == []


def test_internal_xml_entities_still_work() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:ex="http://example.org/">'
        b'<rdf:Description rdf:about="&ex;a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>'
    )
    graph = parse_bytes(data, "rdfxml")
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")) in graph


def test_size_limit_is_enforced_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    line = f'<{EX}s> <{EX}p> "{"x" * 80}" .\n'
    path.write_text(line * 200)
    with pytest.raises(PayloadTooLargeError, match="over the limit"):
        parse_file(path, max_bytes=1000)
    assert len(parse_file(path, max_bytes=100_000)) == 1


def test_datatypes_survive_parsing() -> None:
    data = f'<{EX}a> <{EX}n> "1300"^^<{XSD.nonNegativeInteger}> .'.encode()
    graph = parse_bytes(data, "ntriples")
    assert graph.value(URIRef(EX + "a"), URIRef(EX + "n")).datatype == XSD.nonNegativeInteger  # type: ignore[union-attr]


def test_trig_graphs_are_merged() -> None:
    data = f"<{EX}g1> {{ <{EX}a> <{EX}p> 1 . }} <{EX}g2> {{ <{EX}b> <{EX}p> 2 . }}".encode()
    assert len(parse_bytes(data, "trig")) == 2


def test_unknown_extension_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.ttl"):
        format_for_path(tmp_path / "data.pdf")


def test_parse_paths_walks_folders_and_reports_each_bad_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "good.ttl").write_text(f"<{EX}a> <{EX}p> <{EX}b> .")
    (tmp_path / "bad.nt").write_text("not n-triples")
    (tmp_path / "notes.txt").write_text("ignored")
    results = {path.name: outcome for path, outcome in parse_paths([tmp_path])}
    assert set(results) == {"good.ttl", "bad.nt"}
    assert isinstance(results["bad.nt"], RdfSyntaxError)
    assert len(results["good.ttl"]) == 1  # type: ignore[arg-type]


def test_blank_node_labels_belong_to_their_document() -> None:
    """Two documents that both say ``_:b0`` describe two nodes: merged, they stay two (an FDP
    dataset page and its distribution pages are merged into one record)."""
    first = parse_bytes(b'_:b0 <http://example.org/p> "1" .', "turtle")
    second = parse_bytes(b'_:b0 <http://example.org/p> "1" .', "turtle")
    merged = first + second
    assert len(merged) == 2
    assert len(set(merged.subjects())) == 2
