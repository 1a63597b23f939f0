"""Lexical checks on SPARQL text that pyoxigraph offers no option for.

pyoxigraph (0.5.13) evaluates ``SERVICE`` clauses itself, by sending the inner pattern to the
named endpoint over HTTP from the server. A catalogue that answers queries from anyone must not
fetch arbitrary URLs on their behalf: the store refuses every ``SERVICE`` (:func:`uses_service`),
and the SPARQL endpoint allows only endpoints on its allow-list (:func:`service_calls` tells
which endpoints a query names).

Every check reads the *code* of a query: its text with IRIs, strings and comments blanked out
(:func:`code_of`), so ``?service``, ``ex:service``, ``"service"`` or ``<http://x/service>`` do not
count as the keyword. The checks err on the side of finding a keyword: a false find costs a
refused query, a missed one a request to a host nobody allowed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gdcat.errors import QueryError

#: An IRI as pyoxigraph reads one: no whitespace, braces or quotes inside; ``\\u`` escapes.
_IRIREF = r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    rf"|{_IRIREF}"
    # A comment ends at either line break: pyoxigraph ends it at a lone carriage return too.
    r"|#[^\r\n]*",
    re.DOTALL,
)
_GAP = re.compile(r"(?:\s|#[^\r\n]*)*")
_IRI_AT = re.compile(_IRIREF)
_PNAME_AT = re.compile(r"([^\W\d_][\w.-]*)?:([\w:%-]*)")
_SILENT_AT = re.compile(r"SILENT(?![\w:-])", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PREFIX_DECL = re.compile(r"(?<![\w?$:])PREFIX\s+([^\W\d_][\w.-]*)?:", re.IGNORECASE)


def _keyword(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w?$:]){word}(?![\w:-])", re.IGNORECASE)


_SERVICE = _keyword("SERVICE")
_FROM = _keyword("FROM")
_WHERE_OR_BRACE = re.compile(r"[{}]|(?<![\w?$:])WHERE(?![\w:-])", re.IGNORECASE)
_DELETE_BEFORE = re.compile(r"(?<![\w?$:])DELETE\s*$", re.IGNORECASE)


def code_of(sparql: str) -> str:
    """``sparql`` with IRIs, strings and comments replaced by spaces (offsets unchanged)."""
    return _NOT_CODE.sub(lambda m: " " * len(m.group(0)), sparql)


def uses_service(sparql: str) -> bool:
    """True when the query contains a ``SERVICE`` clause (federated query)."""
    # Most queries (gdcat's own, a page's few) have no such word at all: no need to blank
    # their IRIs and strings to know it.
    if "service" not in sparql.lower():
        return False
    return bool(_SERVICE.search(code_of(sparql)))


def uses_keyword(sparql: str, keyword: str) -> bool:
    """True when the keyword (``LOAD``, ``USING``, ``WITH``…) occurs in the code of ``sparql``."""
    return bool(_keyword(re.escape(keyword)).search(code_of(sparql)))


def has_dataset_clause(sparql: str) -> bool:
    """True when the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return bool(_FROM.search(code_of(sparql)))


@dataclass(frozen=True)
class ServiceCall:
    """One ``SERVICE`` clause of a query."""

    #: The endpoint's absolute IRI, or None when the text does not tell it (a variable, a
    #: relative IRI, an undeclared prefix…).
    iri: str | None
    #: The endpoint as written, for messages.
    written: str


def service_calls(sparql: str) -> list[ServiceCall]:
    """Every ``SERVICE`` clause of ``sparql``, in order, with the endpoint it calls."""
    code = code_of(sparql)
    calls = []
    for match in _SERVICE.finditer(code):
        position = _skip_gap(sparql, match.end())
        silent = _SILENT_AT.match(sparql, position)
        if silent:
            position = _skip_gap(sparql, silent.end())
        calls.append(_target(sparql, code, position))
    return calls


def add_using(update: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """``update`` with ``USING`` / ``USING NAMED`` clauses for the given graphs added to each of
    its ``DELETE``/``INSERT … WHERE`` operations (the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri``).

    Raises :class:`QueryError` when the update names its own dataset (``USING``, ``WITH``) or
    uses the ``DELETE WHERE`` short form, which takes no ``USING``.
    """
    if not default_graphs and not named_graphs:
        return update
    code = code_of(update)
    if _keyword("USING").search(code) or _keyword("WITH").search(code):
        raise QueryError(
            "the update names its dataset with USING or WITH; it cannot also be given "
            "using-graph-uri or using-named-graph-uri"
        )
    clause = "".join(f"USING <{g}> " for g in default_graphs) + "".join(
        f"USING NAMED <{g}> " for g in named_graphs
    )
    depth = 0
    cuts: list[int] = []
    for match in _WHERE_OR_BRACE.finditer(code):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            if _DELETE_BEFORE.search(code, 0, match.start()):
                raise QueryError(
                    "using-graph-uri cannot apply to the DELETE WHERE short form; write "
                    "DELETE { … } WHERE { … }"
                )
            cuts.append(match.start())
    parts: list[str] = []
    last = 0
    for cut in cuts:
        parts.extend((update[last:cut], clause))
        last = cut
    parts.append(update[last:])
    return "".join(parts)


def _skip_gap(text: str, position: int) -> int:
    gap = _GAP.match(text, position)
    return gap.end() if gap else position


def _target(sparql: str, code: str, position: int) -> ServiceCall:
    """The endpoint of a ``SERVICE`` clause whose target starts at ``position``."""
    written = sparql[position : position + 200].split(None, 1)[0] if sparql[position:] else ""
    iri: str | None = None
    end = position
    iri_match = _IRI_AT.match(sparql, position)
    pname = None if iri_match else _PNAME_AT.match(sparql, position)
    if iri_match:
        end = iri_match.end()
        written = iri_match.group(0)
        iri = _unescape(iri_match.group(0)[1:-1])
    elif pname and pname.group(0) != "":
        end = pname.end()
        written = pname.group(0)
        namespace = _prefix_before(sparql, code, pname.group(1) or "", position)
        iri = None if namespace is None else namespace + pname.group(2)
    # The target must end where pyoxigraph's would: at a blank, a comment or the pattern.
    if end == position or (end < len(sparql) and sparql[end] not in " \t\r\n{#"):
        return ServiceCall(None, written)
    if iri is None or not _ABSOLUTE.match(iri):
        return ServiceCall(None, written)
    return ServiceCall(iri, written)


def _prefix_before(sparql: str, code: str, prefix: str, position: int) -> str | None:
    """The absolute namespace IRI ``prefix:`` was last declared with before ``position``."""
    namespace = None
    for match in _PREFIX_DECL.finditer(code, 0, position):
        if (match.group(1) or "") != prefix:
            continue
        iri = _IRI_AT.match(sparql, _skip_gap(sparql, match.end()))
        namespace = _unescape(iri.group(0)[1:-1]) if iri else None
    if namespace is None or not _ABSOLUTE.match(namespace):
        return None
    return namespace


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
