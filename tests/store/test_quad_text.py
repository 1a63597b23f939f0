"""The text the stores are written with: every literal comes back as it was written."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gdcat.store.quads import QuadWriter, escape_literal

AWKWARD = [
    "",
    "plain",
    'a "quoted" word',
    "back\\slash and \\n that is not a line feed",
    "two\nlines\r\nand a carriage return",
    '\\"',
    "ends with a backslash \\",
    "tab\tand unicode é 漢字 🧬",
    '{"pages":[["http://x/a","\\"etag\\"",null]]}',  # a harvest state's JSON
]


@pytest.mark.parametrize("text", AWKWARD)
def test_a_literal_written_as_n_triples_reads_back_as_the_same_text(text: str) -> None:
    line = f"<http://s> <http://p> {QuadWriter().literal(text)} .\n"
    (triple,) = ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES)
    assert triple.object == ox.Literal(text)
    # and in a SPARQL update, as the stores write small batches
    store = ox.Store()
    store.update(f'INSERT DATA {{ <http://s> <http://p> "{escape_literal(text)}" }}')
    assert [q.object for q in store] == [ox.Literal(text)]
