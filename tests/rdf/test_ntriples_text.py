"""Records' N-Triples read as text (:func:`gdcat.rdf.ntriples.ntriples_lines`) give exactly the
terms Oxigraph's parser gives, or are left to it.

Each text is read both ways: by the text reader and by Oxigraph's parser with the conversion
the reader replaces (``_parsed_triples``). Where the reader reads a text, every triple must be
the same term for term (type, lexical form, language, datatype, blank nodes the same up to
their labels), and two objects must share a key exactly when they are the same term. Where
Oxigraph refuses a text, the reader must leave it to Oxigraph (which raises). The texts are
the harvest's own (scale records written by a parsing process, broken in the ways a harvested
record can be, with quotes, line breaks and tabs in literals, language tags in upper case,
``xsd:string`` written out) and single lines built from terms Oxigraph takes and refuses.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from gdcat.rdf import ntriples
from gdcat.rdf.ntriples import ntriples_lines, ntriples_triples


def _oxigraphs(text: str) -> list[Any] | None:
    """The triples Oxigraph's parser gives (converted as before), None when it refuses."""
    try:
        return list(ntriples._parsed_triples(text))
    except SyntaxError:
        return None


def _same(ours: list[Any], theirs: list[Any]) -> bool:
    """The same triples in the same order, term for term, blank nodes up to their labels."""
    if len(ours) != len(theirs):
        return False
    forward: dict[BNode, BNode] = {}
    backward: dict[BNode, BNode] = {}
    for mine, other in zip(ours, theirs, strict=True):
        for a, b in zip(mine, other, strict=True):
            if type(a) is not type(b):
                return False
            if isinstance(a, BNode):
                if forward.setdefault(a, b) != b or backward.setdefault(b, a) != a:
                    return False
            elif isinstance(a, Literal):
                if (str(a), a.language, a.datatype, a.ill_typed) != (
                    str(b),
                    b.language,
                    b.datatype,
                    b.ill_typed,
                ):
                    return False
            elif a != b:
                return False
    return True


def _check(text: str) -> str:
    """``"read"`` or ``"left"`` (to Oxigraph); fails when the reader differs from Oxigraph."""
    theirs = _oxigraphs(text)
    lines = ntriples_lines(text)
    if lines is None:
        if theirs is None:
            with pytest.raises(SyntaxError):
                list(ntriples_triples(text))
        else:
            assert _same(list(ntriples_triples(text)), theirs), text
        return "left"
    assert theirs is not None, f"read a text Oxigraph refuses: {text!r}"
    ours = [line[3] for line in lines]
    assert _same(ours, theirs), text
    assert _same(list(ntriples_triples(text)), theirs), text
    for s, p, _, (subject, predicate, _) in lines:  # subject and predicate as written
        assert p == f"<{predicate}>"
        assert s == (f"<{subject}>" if isinstance(subject, URIRef) else s)
    keys = [line[2] for line in lines]
    objects = [line[3][2] for line in lines]
    for i, key in enumerate(keys):
        for j, other in enumerate(keys):
            assert (key == other) == (objects[i] == objects[j]), (key, other)
    return "read"


# --- the harvest's texts ----------------------------------------------------------------------


def _scale_graphs(count: int) -> list[Graph]:
    from gdcat.demo import iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    out: list[Graph] = []
    for text in iter_record_documents(count, seed=3):
        out.extend(r.graph for r in split_records(parse_bytes(text.encode(), "turtle")))
    return out


_AWKWARD = [
    Literal('He said "yes"', lang="en"),
    Literal("two\nlines\r\nand a tab\there"),
    Literal('a backslash \\ and a quote " at once', lang="EN-gb"),
    Literal("written out", datatype=XSD.string),
    Literal("not a date", datatype=XSD.date),
    Literal("2020-13-45", datatype=XSD.date),
    Literal("-3", datatype=XSD.nonNegativeInteger),
    Literal("Ünïcödé – ≠ 😀", lang="de-AT"),
    Literal("\x7f delete, \x85 next line, \u2028 separator", lang="en"),
    Literal("x" * 200, lang="en"),
    Literal("'single' quotes"),
    Literal(""),
]


def _broken(rng: random.Random, graph: Graph) -> Graph:
    out = Graph()
    for t in graph:
        out.add(t)
    triples = sorted(graph, key=repr)
    subjects = sorted({s for s, _, _ in triples}, key=repr)
    for _ in range(rng.randint(1, 5)):
        s = rng.choice(subjects)
        kind = rng.randrange(4)
        if kind == 0:
            out.add((s, DCTERMS.description, rng.choice(_AWKWARD)))
        elif kind == 1:
            node = BNode()
            out.add((s, DCTERMS.relation, node))
            out.add((node, DCTERMS.title, rng.choice(_AWKWARD)))
        elif kind == 2:
            out.add((s, URIRef(f"https://example.org/vocab/é{rng.randrange(3)}"), s))
        else:
            _, p, o = rng.choice(triples)
            out.add((s, p, o))
    return out


def _harvested_texts() -> Iterator[str]:
    """Records' texts as a parsing process writes them (:func:`parse_page`)."""
    from gdcat.harvest.parsing import parse_page
    from gdcat.rdf.formats import get_format
    from gdcat.rdf.parse import DEFAULT_LIMITS

    rng = random.Random(1207)
    graphs = _scale_graphs(30)
    graphs += [_broken(rng, g) for g in graphs for _ in range(3)]
    for n, graph in enumerate(graphs):
        url = f"https://node.example.org/page/{n}"
        body = graph.serialize(format="nt", encoding="utf-8")
        page = parse_page(body, get_format("ntriples"), url, url, 10**8, DEFAULT_LIMITS)
        assert page.error is None
        for record in page.records:
            assert record.ntriples is not None
            yield record.ntriples


def test_the_harvests_texts_are_read_as_oxigraph_reads_them(caplog: Any) -> None:
    caplog.set_level(logging.CRITICAL)  # rdflib logs every ill-typed literal
    outcomes = [_check(text) for text in _harvested_texts()]
    assert len(outcomes) > 100
    # the reader reads every text a parsing process writes: escapes included
    assert set(outcomes) == {"read"}


# --- single lines: terms Oxigraph takes and refuses ------------------------------------------

_SUBJECTS = ["<x:a>", "<https://e.org/é>", "_:b1", "_:b-1", "_:", "<rel>", "<>", '"s"']
_PREDICATES = ["<x:p>", "<rel>", "_:b1", "<http://e.org/a#b#c>"]
_OBJECTS = [
    "<x:a>",
    "<http://e.org/%zz>",
    "<x:a\\u0041>",
    "_:b1",
    "_:b-1",
    '"v"',
    '"v"@EN',
    '"v"@en',
    '"v"@en-GB',
    '"v"@e n',
    '"v"@',
    '"v"@123456789',
    '"v"^^<http://www.w3.org/2001/XMLSchema#string>',
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"v"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"x"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>',
    '"v"^^<rel>',
    '"v"^^x:y',
    '"a\\"b"',
    '"a\\nb"',
    '"a\\tb"',
    '"a\tb"',
    '"a\\u0041"',
    '"a\\xb"',
    '"a\\"',
    '"a\\\\"',
    '"a"b"',
    '"a\rb"',
    '"é \x00"',
    '"q\\"q"@EN',
    '"\\n"^^<http://www.w3.org/2001/XMLSchema#integer>',
]


def test_single_lines_are_read_as_oxigraph_reads_them_or_left_to_it(caplog: Any) -> None:
    caplog.set_level(logging.CRITICAL)
    seen = set()
    for s in _SUBJECTS:
        for p in _PREDICATES:
            for o in _OBJECTS:
                seen.add(_check(f"{s} {p} {o} .\n"))
                seen.add(_check(f"<x:a> <x:p> <x:c> .\n{s} {p} {o} .\n_:k <x:p> {o} ."))
    for line in [
        "<x:a> <x:p>  <x:c> .",
        "<x:a>\t<x:p> <x:c> .",
        "<x:a> <x:p> <x:c>.",
        "<x:a> <x:p> <x:c> . # note",
        "# note",
        "<x:a> <x:p> <x:c> .\r",
        " <x:a> <x:p> <x:c> .",
    ]:
        seen.add(_check(line + "\n"))
    assert seen == {"read", "left"}


def test_objects_share_a_key_exactly_when_they_are_the_same_term(caplog: Any) -> None:
    caplog.set_level(logging.CRITICAL)
    read = [o for o in _OBJECTS if ntriples_lines(f"<x:a> <x:p> {o} .\n") is not None]
    assert len(read) > 15
    for a in read:
        for b in read:
            assert _check(f"<x:a> <x:p> {a} .\n<x:b> <x:p> {b} .\n") == "read"


def test_a_text_oxigraph_cannot_be_given_is_left_to_it() -> None:
    text = '<x:a> <x:p> "\ud800" .\n'  # a lone surrogate: no UTF-8 for it
    assert ntriples_lines(text) is None
    with pytest.raises(UnicodeEncodeError):
        list(ntriples_triples(text))


def test_shared_iris_are_the_terms_read_and_refused_ones_stay_refused() -> None:
    from gdcat.rdf.ntriples import share_iris

    shared = URIRef("https://example.org/shared/predicate")
    refused = URIRef("relative")
    share_iris([shared, refused, Literal("https://example.org/shared/predicate")])
    lines = ntriples_lines(f"<x:a> <{shared}> <{shared}> .\n")
    assert lines is not None
    _, predicate, obj = lines[0][3]
    assert predicate is shared and obj is shared
    assert ntriples_lines(f"<x:a> <{refused}> <x:b> .\n") is None  # Oxigraph's to refuse
    with pytest.raises(SyntaxError):
        list(ntriples_triples(f"<x:a> <{refused}> <x:b> .\n"))
