"""Metadata quality scores, in the spirit of data.europa.eu's Metadata Quality Assessment.

data.europa.eu's MQA gives each dataset points for weighted indicators (is there a licence, a
keyword, a downloadable distribution…) grouped in five dimensions. gdcat scores what a steward
controls and what the model and the profiles already define: a record's **mandatory and
recommended fields**, each counted when it is *present and valid*.

- The fields of a record are those of its class in the LinkML model (``ClassInfo.required`` and
  ``.recommended``) and those its validation profile asks of a ``dcat:Dataset`` with
  ``sh:minCount`` (a Violation-level shape makes a field mandatory, a Warning-level one
  recommended); a field the model requires stays mandatory.
- Each field weighs :data:`WEIGHTS` (mandatory 3, recommended 1) and belongs to an MQA
  dimension (:data:`DIMENSIONS`, "contextuality" where none fits better).
- A field is *present* when the dataset node has a value for its predicate, and *valid* when
  every value has the kind the model gives the slot: a link where a link is due, a concept of the
  slot's enumeration, a literal of the slot's datatype (``"many"`` is not a whole number). An
  invalid value counts as missing.
- A record's score is the weight of its present-and-valid fields over the weight of all its
  fields, in percent; a node's score is the mean of its records' scores.

The check reads only the dataset's own values (no SHACL run): about 5 ms a record with the
store's reading included, where re-running the profile's SHACL shapes costs 90 to 220 ms (see
``docs/benchmarks.md``).
Messages are those of :mod:`gdcat.validate.messages`, so a problem reads the same here as in a
validation report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal as TypingLiteral
from typing import NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, XSD
from rdflib.term import Node

from gdcat.model.schema import SlotInfo, classes, enum_values, slot_name_for, slots
from gdcat.validate.messages import curie, explain
from gdcat.validate.profiles import get_profile, shapes_graph

Level = TypingLiteral["mandatory", "recommended"]
State = TypingLiteral["ok", "missing", "invalid"]

#: Points a field is worth, by level (MQA weighs its indicators too; here, what the profiles
#: demand counts three times what they recommend).
WEIGHTS: dict[str, int] = {"mandatory": 3, "recommended": 1}

#: The MQA dimension of each field; fields not named here are "contextuality".
DIMENSIONS: dict[str, str] = {
    "title": "findability",
    "description": "findability",
    "keyword": "findability",
    "theme": "findability",
    "spatial": "findability",
    "temporal": "findability",
    "identifier": "findability",
    "health_category": "findability",
    "distribution": "accessibility",
    "access_rights": "accessibility",
    "hdab": "accessibility",
    "data_use_permission": "accessibility",
    "conforms_to": "interoperability",
    "sequencing_type": "interoperability",
    "reference_genome": "interoperability",
    "publisher": "reusability",
    "contact_point": "reusability",
    "license": "reusability",
    "consent_status": "reusability",
    "readiness": "reusability",
}
DIMENSION_ORDER = (
    "findability",
    "accessibility",
    "interoperability",
    "reusability",
    "contextuality",
)

_SERIES = URIRef(str(DCAT) + "DatasetSeries")
_SERVICE = URIRef(str(DCAT) + "DataService")
_DATASET = URIRef(str(DCAT) + "Dataset")

_INTEGERS = {
    XSD.integer: None,
    XSD.int: None,
    XSD.long: None,
    XSD.nonNegativeInteger: 0,
    XSD.positiveInteger: 1,
}


@dataclass(frozen=True)
class FieldRule:
    """One field a record is scored on."""

    name: str
    predicate: str
    level: Level
    #: the model's description of the slot, when the model has one
    slot: SlotInfo | None = field(default=None, compare=False, repr=False)

    @property
    def weight(self) -> int:
        return WEIGHTS[self.level]

    @property
    def dimension(self) -> str:
        return DIMENSIONS.get(self.name, "contextuality")


@dataclass(frozen=True)
class FieldCheck:
    """A field of one record that is missing or invalid, said as a validation report says it."""

    field: str
    level: Level
    weight: int
    state: State
    message: str
    hint: str
    value: str | None = None


@dataclass(frozen=True)
class RecordScore:
    """One record's score: present-and-valid weight over all weight, in percent."""

    dataset: str
    title: str | None
    score: float
    earned: int
    possible: int
    #: the missing and invalid fields, heaviest first
    problems: tuple[FieldCheck, ...]
    #: per MQA dimension: (earned, possible)
    dimensions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    profile: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Example:
    dataset: str
    title: str | None
    message: str


@dataclass(frozen=True)
class FieldProblem:
    """A field missing or invalid in several records: how many, and examples."""

    field: str
    level: Level
    weight: int
    #: records where it is missing or invalid
    records: int
    missing: int
    invalid: int
    hint: str
    examples: tuple[Example, ...]

    @property
    def priority(self) -> int:
        """Weight times records: what to fix first."""
        return self.weight * self.records


# -- the fields of a record ----------------------------------------------------------------------


class Value(NamedTuple):
    """One value of a field, whatever store or graph it came from."""

    kind: TypingLiteral["iri", "bnode", "literal"]
    text: str
    datatype: str | None = None
    lang: str | None = None


#: A dataset's own values: predicate IRI -> values.
Values = Mapping[str, Sequence[Value]]


def value_of(term: Node) -> Value:
    """An rdflib term as a :class:`Value`."""
    if isinstance(term, URIRef):
        return Value("iri", str(term))
    if isinstance(term, BNode):
        return Value("bnode", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        return Value("literal", str(term), datatype, term.language)
    return Value("literal", str(term))


def values_of(graph: Graph, dataset: str) -> dict[str, list[Value]]:
    """The values ``graph`` gives ``dataset``, by predicate."""
    out: dict[str, list[Value]] = {}
    for predicate, term in graph.predicate_objects(URIRef(dataset)):
        out.setdefault(str(predicate), []).append(value_of(term))
    return out


def _class_of(values: Values) -> str:
    types = {v.text for v in values.get(str(RDF.type), ())}
    if str(_SERIES) in types:
        return "DatasetSeries"
    if str(_SERVICE) in types and str(_DATASET) not in types:
        return "DataService"
    return "Dataset"


@cache
def _profile_fields(profile: str, level: str, class_iri: str) -> tuple[tuple[str, Level], ...]:
    """The predicates ``profile`` (at ``level``) asks of nodes of ``class_iri`` with a
    ``sh:minCount`` of 1 or more, and whether it demands (Violation) or recommends them."""
    shapes = shapes_graph(profile, level)
    found: dict[str, Level] = {}
    for shape in shapes.subjects(SH.targetClass, URIRef(class_iri)):
        shape_severity = shapes.value(shape, SH.severity)
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            low = shapes.value(prop, SH.minCount)
            if not isinstance(path, URIRef) or not isinstance(low, Literal):
                continue
            try:
                if int(str(low)) < 1:
                    continue
            except ValueError:
                continue
            severity = shapes.value(prop, SH.severity) or shape_severity or SH.Violation
            level_of: Level = "mandatory" if severity == SH.Violation else "recommended"
            if found.get(str(path)) != "mandatory":
                found[str(path)] = level_of
    return tuple(sorted(found.items()))


@cache
def _rules(class_name: str, profile: str, level: str) -> tuple[FieldRule, ...]:
    info = classes().get(class_name) or classes()["Dataset"]
    table = slots()
    rules: dict[str, FieldRule] = {}
    for name, level_of in (
        *((n, "mandatory") for n in info.required),
        *((n, "recommended") for n in info.recommended),
    ):
        slot = table.get(name)
        if slot is not None and name not in rules:
            rules[name] = FieldRule(name, slot.predicate, level_of, slot)  # type: ignore[arg-type]
    if profile:
        for predicate, level_of in _profile_fields(profile, level, info.uri):
            name = slot_name_for(predicate) or curie(predicate)
            known = rules.get(name)
            if known is not None and (known.level == "mandatory" or level_of == "recommended"):
                continue
            rules[name] = FieldRule(name, predicate, level_of, table.get(name))
    return tuple(sorted(rules.values(), key=lambda r: (-r.weight, r.name)))


def field_rules(values: Values, profile: str = "") -> tuple[FieldRule, ...]:
    """The fields a dataset with ``values`` is scored on (its class's and its profile's)."""
    level = ""
    if profile:
        chosen = get_profile(profile)
        level = chosen.default_level
        if chosen.level_from_access_rights:
            rights = [v.text for v in values.get(str(DCTERMS.accessRights), ()) if v.kind == "iri"]
            level = _level(profile, tuple(rights))
    return _rules(_class_of(values), profile, level)


@cache
def _level(profile: str, rights: tuple[str, ...]) -> str:
    graph = Graph()
    node = URIRef("urn:gdcat:dataset")
    for right in rights:
        graph.add((node, DCTERMS.accessRights, URIRef(right)))
    return get_profile(profile).level_for(graph, node)


# -- validity of one value -----------------------------------------------------------------------


def _invalid(slot: SlotInfo | None, value: Value) -> FieldCheck | None:
    """Why ``value`` does not fit ``slot`` (a check without field, level and weight), or None."""
    if slot is None:
        return None
    if slot.kind in ("iri", "enum"):
        if value.kind != "iri":
            return _bad("NodeKind", slot, {"nodeKind": (str(SH.IRI),)}, value)
        if slot.kind == "enum" and slot.range_enum:
            allowed = enum_values().get(slot.range_enum, {})
            if allowed and value.text not in allowed.values():
                return _bad("In", slot, {"in": tuple(allowed.values())}, value)
        return None
    if slot.kind == "object":
        if value.kind == "literal":
            return _bad("NodeKind", slot, {"nodeKind": (str(SH.BlankNodeOrIRI),)}, value)
        return None
    if value.kind != "literal":
        return _bad("NodeKind", slot, {"nodeKind": (str(SH.Literal),)}, value)
    if slot.kind == "literal" and slot.datatypes and not _fits(value, slot.datatypes):
        return _bad("Datatype", slot, {"datatype": (slot.datatypes[0],)}, value)
    return None


def _fits(value: Value, datatypes: Sequence[str]) -> bool:
    for datatype in datatypes:
        expected = URIRef(datatype)
        if expected in _INTEGERS:
            # stores rewrite integer types (oxigraph: nonNegativeInteger -> integer): read the
            # lexical form
            try:
                number = int(value.text.strip())
            except ValueError:
                continue
            low = _INTEGERS[expected]
            if low is None or number >= low:
                return True
            continue
        if value.datatype not in (None, str(XSD.string), datatype):
            continue
        if not Literal(value.text, datatype=expected).ill_typed:
            return True
    return False


def _bad(
    component: str, slot: SlotInfo, params: Mapping[str, Sequence[str]], value: Value
) -> FieldCheck:
    shown = value.text if value.kind != "bnode" else None
    words = explain(component, slot.name, slot.predicate, params, shown, value.kind)
    return FieldCheck(slot.name, "recommended", 0, "invalid", words.message, words.hint, shown)


# -- scores --------------------------------------------------------------------------------------


def _title(values: Values) -> str | None:
    titles = sorted(values.get(str(DCTERMS.title), ()), key=lambda v: v.text)
    for wanted in ("en", None):
        for t in titles:
            if t.kind == "literal" and t.lang == wanted:
                return t.text
    return titles[0].text if titles else None


def score_record(
    graph: Graph, dataset: str, profile: str = "", *, outcome: str = ""
) -> RecordScore:
    """The score of the record of ``dataset`` in ``graph`` against its class's fields and
    those of ``profile`` (a profile name; ``""``: the model's fields only)."""
    return score_values(dataset, values_of(graph, dataset), profile, outcome=outcome)


def score_values(
    dataset: str, values: Values, profile: str = "", *, outcome: str = ""
) -> RecordScore:
    """The score of ``dataset`` given its own ``values`` (predicate -> values), as
    :func:`score_record`."""
    earned = possible = 0
    problems: list[FieldCheck] = []
    dimensions: dict[str, list[int]] = {}
    for rule in field_rules(values, profile):
        possible += rule.weight
        share = dimensions.setdefault(rule.dimension, [0, 0])
        share[1] += rule.weight
        found = values.get(rule.predicate, ())
        check: FieldCheck | None = None
        if not found:
            severity = "Violation" if rule.level == "mandatory" else "Warning"
            words = explain("MinCount", rule.name, rule.predicate, {}, severity=severity)
            check = FieldCheck(
                rule.name, rule.level, rule.weight, "missing", words.message, words.hint
            )
        else:
            for value in sorted(found, key=lambda v: (v.kind, v.text)):
                bad = _invalid(rule.slot, value)
                if bad is not None:
                    check = FieldCheck(
                        rule.name,
                        rule.level,
                        rule.weight,
                        "invalid",
                        bad.message,
                        bad.hint,
                        bad.value,
                    )
                    break
        if check is None:
            earned += rule.weight
            share[0] += rule.weight
        else:
            problems.append(check)
    score = 100.0 * earned / possible if possible else 100.0
    return RecordScore(
        dataset=dataset,
        title=_title(values),
        score=round(score, 1),
        earned=earned,
        possible=possible,
        problems=tuple(sorted(problems, key=lambda p: (-p.weight, p.field))),
        dimensions={k: (v[0], v[1]) for k, v in dimensions.items()},
        profile=profile,
        outcome=outcome,
    )


def mean_score(scores: Iterable[RecordScore]) -> float | None:
    """The mean of the records' scores (None without records)."""
    values = [s.score for s in scores]
    return round(sum(values) / len(values), 1) if values else None


def dimension_scores(scores: Iterable[RecordScore]) -> dict[str, float]:
    """Per MQA dimension, the share of its weight the records earn together, in percent."""
    earned: dict[str, int] = {}
    possible: dict[str, int] = {}
    for s in scores:
        for name, (got, out_of) in s.dimensions.items():
            earned[name] = earned.get(name, 0) + got
            possible[name] = possible.get(name, 0) + out_of
    return {
        name: round(100.0 * earned[name] / possible[name], 1)
        for name in DIMENSION_ORDER
        if possible.get(name)
    }


def problems_by_field(scores: Iterable[RecordScore], examples: int = 3) -> list[FieldProblem]:
    """The fields missing or invalid across ``scores``, what to fix first first: weight times
    records, then records, then the field's name."""
    grouped: dict[str, list[tuple[RecordScore, FieldCheck]]] = {}
    for s in scores:
        for p in s.problems:
            grouped.setdefault(p.field, []).append((s, p))
    out = []
    for name, found in grouped.items():
        level: Level = (
            "mandatory" if any(p.level == "mandatory" for _, p in found) else "recommended"
        )
        shown = sorted(found, key=lambda sp: (sp[0].score, sp[0].dataset))[:examples]
        out.append(
            FieldProblem(
                field=name,
                level=level,
                weight=max(p.weight for _, p in found),
                records=len(found),
                missing=sum(1 for _, p in found if p.state == "missing"),
                invalid=sum(1 for _, p in found if p.state == "invalid"),
                hint=found[0][1].hint,
                examples=tuple(Example(s.dataset, s.title, p.message) for s, p in shown),
            )
        )
    out.sort(key=lambda f: (-f.priority, -f.records, f.field))
    return out


__all__ = [
    "DIMENSIONS",
    "DIMENSION_ORDER",
    "WEIGHTS",
    "Example",
    "FieldCheck",
    "FieldProblem",
    "FieldRule",
    "RecordScore",
    "Value",
    "dimension_scores",
    "field_rules",
    "mean_score",
    "problems_by_field",
    "score_record",
    "score_values",
    "value_of",
    "values_of",
]
