"""The parse limits: every hostile document of issue 12 is refused by the parsing layer with an
error naming the limit, its value and its setting; ordinary documents (OWL files with namespace
entities, catalogues of thousands of triples) still parse."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.dom.minidom

import pyoxigraph as ox
import pytest
from hostile_documents import Hostile, corpus, rdfxml_dataset

from gdcat.api.resources import serialize
from gdcat.errors import (
    DocumentTooComplexError,
    DocumentTooLargeError,
    ForbiddenNetworkAccessError,
    InputError,
    ParseLimitError,
    RdfSyntaxError,
)
from gdcat.rdf import parse_bytes
from gdcat.rdf.parse import ParseLimits, load_json
from gdcat.settings import Settings

IRI = "https://example.org/hostile"


@pytest.mark.parametrize("hostile", corpus(IRI), ids=lambda h: h.name)
def test_each_hostile_document_is_refused_naming_its_limit(hostile: Hostile) -> None:
    with pytest.raises(InputError) as caught:
        parse_bytes(hostile.data, hostile.fmt, source=f"{hostile.name}{hostile.extension}")
    error = caught.value
    assert hostile.names in str(error)
    assert error.location is not None and error.location.source.startswith(hostile.name)
    if isinstance(error, ParseLimitError):
        # the limit, its value and the setting that raises it, in words
        assert f"GDCAT_{error.setting.upper()}" in str(error)
        assert f"{error.value:,}" in str(error)
        assert (hostile.status == 413) == isinstance(error, DocumentTooLargeError)
        assert (hostile.status == 422) == isinstance(error, DocumentTooComplexError)
        assert error.location.line is not None  # every limit check knows where it stopped
    else:
        assert hostile.status == 400


def test_owl_namespace_entities_still_parse() -> None:
    entities = "".join(
        f'<!ENTITY {name} "{ns}">\n'
        for name, ns in (
            ("owl", "http://www.w3.org/2002/07/owl#"),
            ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
            ("ex", "https://example.org/onto#"),
        )
    )
    classes = "".join(
        f'<owl:Class rdf:about="&ex;C{i}"><rdfs:subClassOf rdf:resource="&owl;Thing"/>'
        "</owl:Class>\n"
        for i in range(2_000)
    )
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:owl="&owl;" xmlns:rdfs="&rdfs;">\n' + classes + "</rdf:RDF>\n"
    ).encode()
    graph = parse_bytes(data, "rdfxml", source="onto.owl")
    assert len(graph) == 4_000
    assert any(str(s) == "https://example.org/onto#C1999" for s in graph.subjects())


def test_the_expansion_budget_counts_declarations_and_references() -> None:
    doctype = '<!DOCTYPE rdf:RDF [<!ENTITY a "0123456789">]>\n'
    data = rdfxml_dataset(IRI, "&a;" * 9, doctype)  # 10 declared + 90 referenced = 100 bytes
    assert len(parse_bytes(data, "rdfxml", limits=ParseLimits(max_xml_entity_expansion=100))) == 2
    with pytest.raises(DocumentTooLargeError, match="max_xml_entity_expansion = 99"):
        parse_bytes(data, "rdfxml", limits=ParseLimits(max_xml_entity_expansion=99))


def test_an_entity_declared_after_the_root_element_is_counted_too() -> None:
    # Oxigraph reads a DOCTYPE wherever it comes: so does the budget.
    late = '<!DOCTYPE x [<!ENTITY big "' + "b" * 200 + '">]>'
    data = rdfxml_dataset(IRI, "&big;").replace(b"<dcat:Dataset", late.encode() + b"<dcat:Dataset")
    with pytest.raises(DocumentTooLargeError, match="max_xml_entity_expansion"):
        parse_bytes(data, "rdfxml", limits=ParseLimits(max_xml_entity_expansion=300))


def test_external_and_looping_entities_are_refused() -> None:
    external = rdfxml_dataset(IRI, "&x;", '<!DOCTYPE r [<!ENTITY x SYSTEM "http://h/x">]>\n')
    with pytest.raises(ForbiddenNetworkAccessError, match="external entity 'x'"):
        parse_bytes(external, "rdfxml")
    looping = rdfxml_dataset(IRI, "&a;", '<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]>\n')
    with pytest.raises(RdfSyntaxError, match="loop"):
        parse_bytes(looping, "rdfxml")


def test_triples_are_counted_while_parsing_for_every_format() -> None:
    limits = ParseLimits(max_document_triples=10)
    turtle = "".join(f"<https://e.org/s{i}> <https://e.org/p> {i} .\n" for i in range(11))
    jsonld = json.dumps(
        [{"@id": f"https://e.org/s{i}", "https://e.org/p": i} for i in range(11)]
    ).encode()
    yaml_doc = "id: https://e.org/d\nkeyword: [" + ", ".join(f"k{i}" for i in range(11)) + "]\n"
    for data, fmt in ((turtle.encode(), "turtle"), (jsonld, "jsonld"), (yaml_doc.encode(), "yaml")):
        with pytest.raises(DocumentTooLargeError) as caught:
            parse_bytes(data, fmt, source=f"doc.{fmt}", limits=limits)
        assert "more than 10 " in str(caught.value)
        assert "GDCAT_MAX_DOCUMENT_TRIPLES" in str(caught.value)
        assert len(parse_bytes(data, fmt, limits=ParseLimits(max_document_triples=100))) > 10


def test_nesting_is_measured_outside_strings_iris_and_comments() -> None:
    brackets = "[[[[[[[[[[(((((({{{{{"
    turtle = (
        f"# {brackets}\n<https://e.org/s> <https://e.org/p> "
        f'"{brackets}", """{brackets}\n""", <https://e.org/{brackets.count("[")}> ;'
        " <https://e.org/q> [ <https://e.org/r> ( 1 [ <https://e.org/t> 2 ] ) ] ."
    ).encode()
    assert len(parse_bytes(turtle, "turtle", limits=ParseLimits(max_nesting_depth=3))) == 10
    with pytest.raises(DocumentTooComplexError, match=r"max_nesting_depth = 2") as caught:
        parse_bytes(turtle, "turtle", source="t.ttl", limits=ParseLimits(max_nesting_depth=2))
    # the third opening bracket, on the line after the long string's line break
    assert caught.value.location is not None and caught.value.location.line == 3
    assert load_json(b'{"a": ["[[[[", {"b": 1}]}', source="j", limits=ParseLimits(2)) == {
        "a": ["[[[[", {"b": 1}]
    }


def test_json_answers_that_cannot_be_read_are_input_errors_with_a_position() -> None:
    with pytest.raises(RdfSyntaxError) as caught:
        load_json(b'{\n  "a": [1,,2]\n}', source="node/info")
    assert caught.value.location is not None and caught.value.location.line == 2
    with pytest.raises(RdfSyntaxError, match="unreadable JSON"):
        load_json(b"[" + b"9" * 5000 + b"]", source="node/info")


def test_yaml_values_python_cannot_build_are_input_errors() -> None:
    for title in ("2020-02-30", "1" * 5000, "!!binary aGVsbG8=", "!custom x"):
        with pytest.raises(InputError) as caught:
            parse_bytes(f"id: {IRI}\nissued: {title}\n".encode(), "yaml", source="d.yaml")
        assert caught.value.location is not None and caught.value.location.line == 2


def test_a_recursive_yaml_alias_is_refused() -> None:
    with pytest.raises(InputError, match="alias"):
        parse_bytes(f"id: {IRI}\nkeyword: &k [a, *k]\n".encode(), "yaml")


@pytest.mark.parametrize(
    ("char", "escaped"),
    [("\x00", "\\u0000"), ("\x1f", "\\u001F"), ("\ufffe", "\\uFFFE"), ("\x0b", "\\u000B")],
)
def test_characters_xml_cannot_carry_are_refused_in_every_format(char: str, escaped: str) -> None:
    code = f"U+{ord(char):04X}"
    docs = {
        "turtle": f'<{IRI}> <https://e.org/p> "a{escaped}b" .\n',
        "ntriples": f'<{IRI}> <https://e.org/p> "a{escaped}b" .\n',
        "jsonld": json.dumps({"@id": IRI, "https://e.org/p": f"a{char}b"}),
        "yaml": f'id: {IRI}\ntitle: "a{escaped}b"\n',
    }
    for fmt, text in docs.items():
        with pytest.raises(RdfSyntaxError if fmt != "yaml" else InputError) as caught:
            parse_bytes(text.encode(), fmt, source=f"d.{fmt}")
        assert code in str(caught.value)
        assert caught.value.location is not None and caught.value.location.line is not None
    iri_doc = f'<https://e.org/{escaped}> <https://e.org/p> "x" .\n'.encode()
    with pytest.raises(InputError):
        parse_bytes(iri_doc, "turtle")


def test_rdf_xml_answers_stay_well_formed_for_a_stored_control_character() -> None:
    stored = ox.Triple(
        ox.NamedNode(IRI), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("a\x00b\x1f")
    )
    body = serialize([stored], "application/rdf+xml")
    document = xml.dom.minidom.parseString(body)
    assert "a\ufffdb\ufffd" in document.documentElement.toxml()
    # the other forms carry the character (escaped) as stored
    assert b"\\u0000" in serialize([stored], "application/n-triples")


def test_the_limits_are_settings() -> None:
    settings = Settings(
        max_document_triples=7, max_nesting_depth=5, max_xml_entities=3, max_xml_entity_expansion=9
    )
    assert ParseLimits.from_settings(settings) == ParseLimits(7, 5, 3, 9)
    assert ParseLimits.from_settings(Settings()) == ParseLimits()


#: Documents that leave a string or a tag open, and the nesting each one really has before it
#: (what the check must report); the open part is long enough that reading it several ways, as
#: the check once did, would not end in a lifetime.
UNCLOSED = {
    "json-string": (b'[["' + b"a" * 100_000 + b"[" * 9, "json", None),
    "json-escapes": (b'[["' + b'\\"' * 50_000 + b"[" * 9, "json", None),
    "json-closed-then-deep": (b'[["' + b"a" * 100 + b'"' + b"[" * 9, "json", "1:111"),
    "turtle-string-each-line": ((b'("' + b"a" * 100 + b"(((\n") * 3 + b"(" * 9, "turtle", "4:6"),
    "turtle-long-string": (b'("""' + b'a"' * 50_000 + b"(" * 9, "turtle", None),
    "xml-tag": (b'<a><b x="' + b"<" * 100_000, "xml", None),
    "xml-comments": (b"<!--" * 50_000, "xml", None),
    "xml-tags": (b"<" * 100_000, "xml", None),
}
_CHECK = """
import json, sys
from gdcat.errors import InputError
from gdcat.rdf.parse import ParseLimits, check_nesting
data, syntax = sys.stdin.buffer.read(), sys.argv[1]
try:
    check_nesting(data, syntax, "doc", ParseLimits(max_nesting_depth=8))
    print(json.dumps(None))
except InputError as e:
    print(json.dumps(f"{e.location.line}:{e.location.column}"))
"""


@pytest.mark.parametrize("name", sorted(UNCLOSED))
def test_an_unclosed_string_or_tag_is_read_once_by_the_nesting_check(name: str) -> None:
    """The check runs in a process of its own, so that a check that never ends fails this
    test (after a minute: a pass takes milliseconds) instead of stopping the suite."""
    data, syntax, deep_at = UNCLOSED[name]
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, syntax],
        input=data,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == deep_at
    if syntax != "xml" and deep_at is None:
        # the parser stops at the open string: nothing after it is nested for real
        fmt = "jsonld" if syntax == "json" else "turtle"
        with pytest.raises(InputError):
            parse_bytes(data, fmt, source="doc")
