"""rdflib graphs written as text Oxigraph parses: N-Quads lines and SPARQL quad data.

Oxigraph is fastest when handed whole documents, so the store turns each record into text once
and lets Oxigraph's parser do the rest (``bulk_load`` for N-Quads, ``update`` for
``INSERT DATA``). The text is made safe here:

- every record gets its own blank-node labels (one writer-wide random prefix and a counter), so
  two records never share a blank node in the store, whatever labels their graphs carried
  (JSON-LD keeps ``_:b0`` as is, for instance);
- a term that could break out of its syntax is refused: an IRI holding a space, ``<``, ``>``,
  ``"``, ``{``, ``}``, ``|``, ``^``, a backtick or a backslash, or a malformed language tag.
  Literal text is escaped, so it never ends a line or a string early. Oxigraph's parser checks
  the rest (a relative IRI, for instance, is refused there). A writer for a remote engine
  refuses relative IRIs itself (``absolute_only``): Oxigraph server parses an update with the
  request's URL as base, so it would store ``<rel>`` resolved against its own address.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def escape_literal(text: str) -> str:
    """``text`` escaped for a quoted literal in N-Triples, N-Quads or SPARQL: backslash,
    quote, line feed and carriage return. (Replaced one after the other: ``str.translate``
    with a table of multi-character replacements costs ten times as much, and a harvest
    escapes every literal of every record, and each node's state, a string of megabytes.)"""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class UnwritableTermError(ValueError):
    """A term that cannot be written as N-Quads or SPARQL without changing its meaning."""


class QuadWriter:
    """Writes graphs and single terms; IRIs are checked and rendered once, then reused."""

    def __init__(self, *, absolute_only: bool = False) -> None:
        self._absolute_only = absolute_only
        self._iris: dict[str, str] = {}
        self._uris: dict[Node, str] = {}  # URIRefs only; other terms are looked up and missed
        self._bnode_prefix = "b" + uuid.uuid4().hex
        self._records = 0

    def iri(self, value: str) -> str:
        """``<value>``, refusing characters that would end the IRI early."""
        text = self._iris.get(value)
        if text is None:
            if not value or _IRI_FORBIDDEN.search(value):
                raise UnwritableTermError(f"not a writable IRI: {value!r}")
            if self._absolute_only and not _ABSOLUTE_IRI.match(value):
                raise UnwritableTermError(f"not an absolute IRI: {value!r}")
            text = self._iris[value] = f"<{value}>"
        return text

    def literal(
        self, value: str, *, datatype: str | None = None, language: str | None = None
    ) -> str:
        """A quoted literal with its language tag or datatype."""
        text = '"' + escape_literal(value) + '"'
        if language:
            if not _LANGUAGE_TAG.match(language):
                raise UnwritableTermError(f"not a language tag: {language!r}")
            return f"{text}@{language}"
        if datatype and datatype != _XSD_STRING:
            return f"{text}^^{self.iri(datatype)}"
        return text

    def lines(self, graph: Graph | Iterable[tuple[Node, Node, Node]], tail: str) -> str:
        """Every triple of ``graph`` (or of a list of triples) as ``s p o{tail}`` lines;
        ``tail`` closes a line: ``" .\\n"`` for quad data inside a ``GRAPH`` block,
        ``" <g> .\\n"`` for N-Quads.

        Blank nodes get labels no other record written by this writer (or any other) uses.
        """
        self._records += 1
        prefix = f"_:{self._bnode_prefix}r{self._records}n"
        bnodes: dict[BNode, str] = {}
        uris = self._uris

        def term(node: Node) -> str:
            if isinstance(node, URIRef):
                text = uris.get(node)
                if text is None:
                    text = uris[node] = self.iri(str(node))
                return text
            if isinstance(node, BNode):
                label = bnodes.get(node)
                if label is None:
                    label = bnodes[node] = f"{prefix}{len(bnodes)}"
                return label
            if isinstance(node, Literal):
                datatype = node.datatype
                return self.literal(
                    str(node),
                    datatype=str(datatype) if datatype is not None else None,
                    language=node.language,
                )
            raise UnwritableTermError(f"not an RDF term: {node!r}")

        cached = uris.get  # subjects and predicates are mostly IRIs written before
        return "".join(
            [f"{cached(s) or term(s)} {cached(p) or term(p)} {term(o)}{tail}" for s, p, o in graph]
        )
