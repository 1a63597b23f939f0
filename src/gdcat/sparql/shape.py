"""The shape of a query's text, checked before a worker parses it.

pyoxigraph's SPARQL parser and planner recurse once per level of a query's structure: a query
of 10^5 nested groups ``{{{…}}}``, or of a few thousand ``+``, ``&&``, ``UNION``s, ``FILTER``s or
triple patterns in a row, overflows the stack of the process answering it (measured with
pyoxigraph 0.5.13 and an 8 MiB stack: 4,000 nested groups, 10,000 ``+`` or 10,000 triple
patterns crash it). The endpoint refuses such a query before it runs, on three measures of its
text, each with a setting:

- its **length** in characters (``sparql_max_query_length``), which also bounds the cost of
  this check;
- its **nesting**: the depth of ``{``, ``(`` and ``[`` outside strings and comments
  (``sparql_max_nesting``); brackets inside ``<…>`` count too, since a ``<`` may be a
  less-than that pyoxigraph reads as one;
- its **tokens**: words, terms and symbols outside strings and comments (``sparql_max_query_
  tokens``), not counting the data of ``VALUES`` blocks, which is a flat table however long.

The measures are deliberately coarse (``1+1`` is three tokens, an IRI one): they over-count,
never under-count, the structure pyoxigraph builds. A query that slips past them anyway
crashes only its worker, which is replaced, and the client is told its query was too complex
(see :mod:`gdcat.sparql.pool`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gdcat.sparql.limits import QueryTooComplexError

#: The token at a position (after blanks): a quote (strings are read by :class:`_Strings`),
#: an IRI, a comment, a bracket, a word, or any other symbol on its own. Possessive
#: quantifiers: a failed match costs no more than the characters it looked at.
_TOKEN = re.compile(
    r"\s*+(?:(?P<quote>[\"'])"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*+>)"
    r"|(?P<comment>#[^\r\n]*+)"
    r"|(?P<open>[{(\[])"
    r"|(?P<close>[})\]])"
    r"|(?P<word>[^\s\"'<>#{}()\[\].,;+\-*/|^!=&]++)"
    r"|(?P<symbol>\S))?"
)
#: The rest of a string after its opening quote(s), as SPARQL's grammar reads it.
_LONG_REST = {
    '"': re.compile(r'(?:[^"\\]++|\\.|"(?!""))*+"""', re.DOTALL),
    "'": re.compile(r"(?:[^'\\]++|\\.|'(?!''))*+'''", re.DOTALL),
}
_SHORT_REST = {
    '"': re.compile(r'(?:[^"\\\n\r]++|\\.)*+"'),
    "'": re.compile(r"(?:[^'\\\n\r]++|\\.)*+'"),
}
_LINE_END = re.compile(r"[\r\n]")
_VALUES = "values"


class _Strings:
    """Finds where strings end, in linear time overall: once a string of a kind is found
    unterminated, no later one of that kind can end where it failed to (the same characters
    are read in the same state), so it is not tried again: a long string not at all, a short
    one not before the next line."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._no_long: set[str] = set()
        self._no_short_before: dict[str, int] = {}

    def end(self, position: int) -> int | None:
        """Where the string starting at ``position`` ends, or None if it does not."""
        text, quote = self._text, self._text[position]
        if text.startswith(quote * 3, position) and quote not in self._no_long:
            rest = _LONG_REST[quote].match(text, position + 3)
            if rest:
                return rest.end()
            self._no_long.add(quote)
        if position >= self._no_short_before.get(quote, 0):
            rest = _SHORT_REST[quote].match(text, position + 1)
            if rest:
                return rest.end()
            line_end = _LINE_END.search(text, position)
            self._no_short_before[quote] = line_end.end() if line_end else len(text)
        return None


@dataclass(frozen=True)
class ShapeLimits:
    """How long and how deeply structured a query's text may be."""

    max_length: int = 1_000_000
    max_nesting: int = 100
    max_tokens: int = 10_000


@dataclass(frozen=True)
class QueryShape:
    """What :func:`measure` found (``tokens`` outside ``VALUES`` data)."""

    length: int
    nesting: int
    tokens: int


def measure(sparql: str, stop_past: ShapeLimits | None = None) -> QueryShape:
    """The length, deepest nesting and token count of ``sparql``; with ``stop_past``, the
    scan stops as soon as a limit is passed (what it found so far is returned)."""
    depth = nesting = tokens = 0
    values_depth: int | None = None  # depth of the open VALUES block's brace
    values_next = False  # after VALUES: the next brace opens its data
    max_nesting = stop_past.max_nesting if stop_past else len(sparql) + 1
    max_tokens = stop_past.max_tokens if stop_past else len(sparql) + 1
    strings = _Strings(sparql)
    position = 0
    while True:
        match = _TOKEN.match(sparql, position)
        assert match is not None  # every part of the pattern is optional
        kind = match.lastgroup
        if kind is None:
            break  # only blanks were left
        position = match.end()
        if kind == "quote":
            end = strings.end(match.start(kind))
            if end is not None:
                position = end
            # else: an unterminated quote, read as a symbol
        elif kind == "comment":
            continue
        elif kind == "open":
            depth += 1
            nesting = max(nesting, depth)
            if values_next and match.group(kind) == "{":
                values_depth, values_next = depth, False
        elif kind == "close":
            if values_depth == depth and match.group(kind) == "}":
                values_depth = None
            depth = max(0, depth - 1)
        elif kind == "iri":
            # A `<` may be a less-than: brackets pyoxigraph would read as code count.
            for char in match.group(kind):
                if char in "([":
                    depth += 1
                    nesting = max(nesting, depth)
                elif char in ")]":
                    depth = max(0, depth - 1)
        elif kind == "word" and match.group(kind).lower() == _VALUES:
            values_next = True  # its variables, then its data block
        if values_depth is None:  # VALUES data is a flat table: its terms do not count
            tokens += 1
        if nesting > max_nesting or tokens > max_tokens:
            break
    return QueryShape(len(sparql), nesting, tokens)


def check_shape(sparql: str, limits: ShapeLimits) -> None:
    """Raise :class:`QueryTooComplexError` naming the limit ``sparql`` passes, if any."""
    if len(sparql) > limits.max_length:
        raise QueryTooComplexError(
            f"the query is {len(sparql)} characters long; this endpoint accepts queries of at "
            f"most {limits.max_length} characters (sparql_max_query_length)",
            limits.max_length,
            "sparql_max_query_length",
        )
    shape = measure(sparql, stop_past=limits)
    if shape.nesting > limits.max_nesting:
        raise QueryTooComplexError(
            f"the query nests groups, brackets or parentheses more than {limits.max_nesting} "
            f"deep, the most this endpoint accepts (sparql_max_nesting); flatten it",
            limits.max_nesting,
            "sparql_max_nesting",
        )
    if shape.tokens > limits.max_tokens:
        raise QueryTooComplexError(
            f"the query has more than {limits.max_tokens} tokens (terms, operators and "
            "punctuation, not counting VALUES data), the most this endpoint accepts "
            "(sparql_max_query_tokens); split it into several queries, or put long lists "
            "of terms in a VALUES block",
            limits.max_tokens,
            "sparql_max_query_tokens",
        )
