"""Lexical checks on SPARQL text that pyoxigraph offers no option for.

pyoxigraph evaluates ``SERVICE`` clauses by making HTTP requests from the server. A catalogue
that answers queries from anyone must not fetch arbitrary URLs on their behalf, so the store
refuses queries that use ``SERVICE``. The check looks at the query with its IRIs, strings and
comments blanked out, so ``?service``, ``ex:service`` or ``"service"`` do not trigger it.
"""

from __future__ import annotations

import re

_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(sparql: str) -> bool:
    """True when the query contains a ``SERVICE`` clause (federated query)."""
    return bool(_SERVICE.search(_NOT_CODE.sub(" ", sparql)))
