"""A small, fast, deterministic Turtle writer for the demo's generated triples.

rdflib's serializer is correct but slow on a whole federation and orders subjects by its own
rules; the generator instead keeps triples in the order it made them and writes them here:
subjects in first-seen order, ``rdf:type`` first, then the other predicates in first-seen
order. Names are abbreviated with a prefix only where the local part is plainly safe, so the
output always parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

Triple = tuple[URIRef, URIRef, URIRef | Literal]

_SAFE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_IRI_ESCAPES = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")


class TripleList:
    """Triples in the order they were added, without duplicates."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, triple: Triple) -> None:
        self._triples[triple] = None

    def remove(self, pattern: tuple[URIRef | None, URIRef | None, object]) -> None:
        """Drop every triple matching ``(s, p, o)``, ``None`` matching anything."""
        s, p, o = pattern
        for t in [
            t
            for t in self._triples
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o)
        ]:
            del self._triples[t]

    def objects(self, s: URIRef, p: URIRef) -> list[URIRef | Literal]:
        return [t[2] for t in self._triples if t[0] == s and t[1] == p]

    def extend(self, other: TripleList) -> None:
        self._triples.update(other._triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


class TurtleWriter:
    """Turns terms into Turtle text with a fixed prefix table."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so that the most specific prefix wins.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.used: set[str] = set()

    def iri(self, iri: URIRef) -> str:
        text = str(iri)
        for prefix, ns in self.prefixes:
            if text.startswith(ns) and _SAFE_LOCAL.match(text[len(ns) :]):
                self.used.add(prefix)
                return f"{prefix}:{text[len(ns) :]}"
        if _IRI_ESCAPES.search(text):
            raise ValueError(f"IRI cannot be written in Turtle: {text!r}")
        return f"<{text}>"

    def term(self, term: URIRef | Literal) -> str:
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            raise ValueError("the demo writer does not write blank nodes")
        return self.iri(term)

    def literal(self, lit: Literal) -> str:
        lex = str(lit)
        if lit.datatype == XSD.boolean and lex in ("true", "false"):
            return lex
        if lit.datatype == XSD.integer and _INTEGER.match(lex):
            return lex
        quoted = (
            '"'
            + (
                lex.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
                .replace("\t", "\\t")
            )
            + '"'
        )
        if lit.language:
            return f"{quoted}@{lit.language}"
        if lit.datatype is not None and lit.datatype != XSD.string:
            return f"{quoted}^^{self.iri(lit.datatype)}"
        return quoted


def write_turtle(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> str:
    """Turtle text for ``triples``: one block per subject, in first-seen order."""
    writer = TurtleWriter(prefixes)
    by_subject: dict[URIRef, dict[URIRef, list[URIRef | Literal]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    blocks = []
    for s, predicates in by_subject.items():
        lines = []
        ordered = sorted(predicates.items(), key=lambda kv: kv[0] != RDF.type)
        for p, objects in ordered:
            verb = "a" if p == RDF.type else writer.iri(p)
            lines.append(f"    {verb} " + ", ".join(writer.term(o) for o in objects))
        blocks.append(writer.iri(s) + "\n" + " ;\n".join(lines) + " .\n")
    head = "".join(
        f"@prefix {prefix}: <{ns}> .\n"
        for prefix, ns in sorted((p, ns) for p, ns in prefixes.items() if p in writer.used)
    )
    return head + "\n" + "\n".join(blocks)
