"""What the shipped vocabularies say of the controlled terms a document uses, written out for
clients that do no inference.

DCAT-AP tells publishers to take ``dct:format`` from the EU file-type table, ``dct:language``
from the language table, and so on; the official DCAT-AP 3 shapes then check each value's
class (``range.ttl``: ``sh:class dct:MediaTypeOrExtent``) and scheme (``mdr-vocabularies``:
``skos:inScheme <…/file-type>``). gdcat's own validation knows both from the shipped tables
(:mod:`gdcat.validate.classes`, :mod:`gdcat.validate.background`); a client that validates
what gdcat re-publishes with the shapes alone sees only what the document says. So gdcat's
feed, FAIR Data Point and landing pages add, for every term of a shipped vocabulary they use:

- ``skos:inScheme`` each scheme the vocabulary puts it in;
- ``rdf:type`` the class DCAT-AP gives the values of that table
  (:data:`gdcat.validate.classes.TABLE_CLASSES`: file types ``dct:MediaTypeOrExtent``,
  languages ``dct:LinguisticSystem``, countries ``dct:Location``…);
- ``a skos:Concept`` with its English ``skos:prefLabel`` when the vocabulary types it so or the
  table's values are concepts, and a label is known (the shapes require one of every concept;
  the structure-only copies of the file-type and frequency tables have none, and their ranges
  are not ``skos:Concept``);
- for each scheme used (as a term's scheme or as a value, e.g. ``dcat:themeTaxonomy``),
  ``a skos:ConceptScheme`` with its label as ``dct:title`` (the shapes require a title).

Nothing is invented: every statement is one the shipped vocabulary makes, or the class the
specification gives its table. A statement the document already makes is not repeated.
gdcat's harvester drops these statements again (:func:`restated`, used by
:func:`gdcat.harvest.normalise.normalise`), so harvesting gdcat gives back each record as its
node published it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from gdcat.validate.background import vocabulary_index
from gdcat.validate.classes import class_index

Triple = tuple[Node, Node, Node]


def _english(literals: Iterable[Node]) -> Literal | None:
    found = sorted(
        ((0 if (o.language or "").startswith("en") else 1, str(o)), o)
        for o in literals
        if isinstance(o, Literal) and (o.language is None or o.language.startswith("en"))
    )
    return found[0][1] if found else None


@cache
def _scheme_description(scheme: URIRef) -> tuple[Triple, ...]:
    """``a skos:ConceptScheme`` and a ``dct:title`` for a scheme the vocabularies type so and
    name; nothing for one without a name (the shapes would ask for its title)."""
    index = vocabulary_index()
    facts = index.by_subject.get(scheme, ()) + index.scheme_types.get(scheme, ())
    if (scheme, RDF.type, SKOS.ConceptScheme) not in facts:
        return ()
    title = _english(o for _, p, o in facts if p in (DCTERMS.title, SKOS.prefLabel, RDFS.label))
    if title is None:
        return ()
    return ((scheme, RDF.type, SKOS.ConceptScheme), (scheme, DCTERMS.title, title))


@cache
def term_description(term: URIRef) -> tuple[Triple, ...]:
    """What the shipped vocabularies say of ``term`` that the shapes check (see the module)."""
    facts = vocabulary_index().by_subject.get(term, ())
    schemes = sorted(o for _, p, o in facts if p == SKOS.inScheme and isinstance(o, URIRef))
    if not schemes:
        return _scheme_description(term)
    table_classes = class_index().table_classes
    classes: set[URIRef] = set()
    for scheme in schemes:
        classes.update(table_classes.get(scheme, ()))
    if (term, RDF.type, SKOS.Concept) in facts:
        classes.add(SKOS.Concept)
    label = _english(o for _, p, o in facts if p == SKOS.prefLabel)
    out: list[Triple] = [(term, SKOS.inScheme, scheme) for scheme in schemes]
    if label is None:
        classes.discard(SKOS.Concept)
    elif SKOS.Concept in classes:
        out.append((term, SKOS.prefLabel, label))
    out.extend((term, RDF.type, cls) for cls in sorted(classes))
    for scheme in schemes:
        out.extend(_scheme_description(scheme))
    return tuple(out)


def term_descriptions(triples: Iterable[Triple]) -> list[Triple]:
    """The statements the shipped vocabularies make about the terms used as values in
    ``triples`` that the shapes check, minus those ``triples`` already make."""
    given = set(triples)
    used = {o for _, p, o in given if isinstance(o, URIRef) and p != RDF.type}
    labelled = {s for s, p, _ in given if p == SKOS.prefLabel}
    out: dict[Triple, None] = {}
    for term in sorted(used):
        for t in term_description(term):
            if t in given or (t[1] == SKOS.prefLabel and t[0] in labelled):
                continue
            out[t] = None
    return list(out)


def restated(triples: Iterable[Triple]) -> set[Triple]:
    """The statements of ``triples`` that only restate a shipped vocabulary the way
    :func:`term_descriptions` writes them (what gdcat's harvester drops again)."""
    given = set(triples)
    used = {o for _, p, o in given if isinstance(o, URIRef) and p != RDF.type}
    found: set[Triple] = set()
    for term in used:
        found.update(t for t in term_description(term) if t in given)
    # A term's scheme is written only as part of its term's description.
    return found
