"""Plain-language messages and fix hints for SHACL results, written for data stewards.

A steward does not know ``sh:MinCountConstraintComponent``; they know the field they filled in
(``number_of_unique_individuals``, ``publisher.contact_point.email``). Each constraint kind gets
a sentence naming that field and what is wrong, and a hint saying what to write instead. The
shape's own ``sh:message``, when it has one, is kept separately (the report's
``shape_message``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from gdcat.vocab import PREFIXES

#: Parameters of the failing shape as read from the shapes graph: ``"minCount" -> ("1",)``.
Params = Mapping[str, Sequence[str]]

#: Namespaces that only appear in reports (the rest are gdcat's ``vocab.PREFIXES``).
_EXTRA_PREFIXES = {
    "gdi": "http://data.gdi.eu/core/p2/",
    "ordo": "http://www.orpha.net/ORDO/",
    "euaccess": "http://publications.europa.eu/resource/authority/access-right/",
}

_DATATYPES: dict[str, tuple[str, str]] = {
    "nonNegativeInteger": ("a whole number of 0 or more", "42"),
    "positiveInteger": ("a whole number of 1 or more", "42"),
    "integer": ("a whole number", "42"),
    "int": ("a whole number", "42"),
    "decimal": ("a decimal number", "3.5"),
    "double": ("a number", "3.5"),
    "boolean": ("true or false", "true"),
    "date": ("a date (YYYY-MM-DD)", "2024-01-31"),
    "dateTime": ("a date and time", "2024-01-31T12:00:00Z"),
    "gYear": ("a year", "2024"),
    "gYearMonth": ("a year and month", "2024-01"),
    "duration": ("an ISO 8601 duration", "P1M"),
    "string": ("plain text without a language tag", '"text"'),
    "langString": ("text with a language tag", '"text"@en'),
    "anyURI": ("a URI written as text", '"https://example.org/"^^xsd:anyURI'),
}

_NODE_KINDS = {
    "IRI": ("a link (IRI)", "Use a link such as https://… instead of text."),
    "Literal": ("a text or number value", "Write a plain value (text, number, date), not a link."),
    "BlankNode": ("a nested description", "Describe it as a nested object."),
    "BlankNodeOrIRI": (
        "a link or a nested description",
        "Give the IRI of a described resource or describe it as a nested object, not as text.",
    ),
    "BlankNodeOrLiteral": ("a value or a nested description", "Do not use a link here."),
    "IRIOrLiteral": ("a link or a value", "Do not use a nested description here."),
}

HEALTHDCATAP = "http://healthdataportal.eu/ns/health#"
DCT = "http://purl.org/dc/terms/"
CV = "http://data.europa.eu/m8g/"

#: Hints for the rules stewards meet most, by (constraint kind, predicate IRI).
_SPECIFIC_HINTS: dict[tuple[str, str], str] = {
    ("MinCount", HEALTHDCATAP + "hdab"): (
        "Name the health data access body (HDAB) that handles access requests: an agent with a "
        "name and one contact point (cv:ContactPoint with an email or a contact page). Where no "
        "HDAB exists yet, GDI asks for the organisation that controls the data."
    ),
    ("MinCount", HEALTHDCATAP + "healthCategory"): (
        "Add at least one EHDS health category from "
        "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories, e.g. "
        "HGPD (human genetic, epigenomic and genomic data)."
    ),
    ("MinCount", HEALTHDCATAP + "hasStructuredData"): (
        "Say whether the dataset holds structured data: has_structured_data: true or false."
    ),
    ("SPARQL", HEALTHDCATAP + "hasVariables"): (
        "Describe the variables (has_variables: a CSVW table group with its tables and columns) "
        "or set has_structured_data to false."
    ),
    ("MinCount", CV + "contactPoint"): (
        "Give this agent exactly one contact point (cv:ContactPoint) with an email (cv:email) "
        "or a contact page (cv:contactPage)."
    ),
    ("MaxCount", CV + "contactPoint"): (
        "Keep exactly one contact point (cv:ContactPoint) for this agent."
    ),
    ("HasValue", DCT + "accessRights"): (
        "Use the access right the dataset really has: "
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC, RESTRICTED or "
        "NON_PUBLIC; validate against the matching HealthDCAT-AP level."
    ),
    ("MinCount", "http://www.w3.org/ns/dcat#distribution"): (
        "Add at least one distribution: how the data can be obtained (an access URL, "
        "the applicable legislation and, for non-public data, the HDAB request page)."
    ),
}


#: Messages for rules whose generic wording would say too little.
_SPECIFIC_MESSAGES: dict[tuple[str, str], str] = {
    ("SPARQL", HEALTHDCATAP + "hasVariables"): (
        "The dataset says it has structured data (has_structured_data: true) but describes no "
        "variables (`{field}`)."
    ),
}


@dataclass(frozen=True)
class Explanation:
    """What a steward reads about one result."""

    message: str
    hint: str


@cache
def _namespaces() -> tuple[tuple[str, str], ...]:
    merged = {**_EXTRA_PREFIXES, **PREFIXES}
    # Longest namespace first, so that a more specific namespace wins.
    return tuple(sorted(merged.items(), key=lambda item: -len(item[1])))


def curie(iri: str) -> str:
    """``http://purl.org/dc/terms/title`` -> ``dct:title``; unknown namespaces stay whole."""
    for prefix, namespace in _namespaces():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if re.fullmatch(r"[A-Za-z_][\w.\-]*", local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def local_name(iri: str) -> str:
    return re.split(r"[#/:]", iri.rstrip("/#"))[-1]


def snake_case(name: str) -> str:
    """``accessURL`` -> ``access_url``, ``numberOfUniqueIndividuals`` -> ``number_of_...``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()


def field_name(predicate: str) -> str:
    """The steward field a predicate stands for (the model's slot name, else its local name)."""
    slot = _slot_name(predicate)
    return slot if slot else snake_case(local_name(predicate))


def _slot_name(predicate: str) -> str | None:
    try:
        from gdcat.model.schema import slot_name_for
    except ImportError:  # the model package is optional at this layer
        return None
    try:
        return slot_name_for(predicate)
    except Exception:  # a missing or broken model must not break validation reports
        return None


def datatype_words(datatype: str) -> tuple[str, str]:
    """How a steward reads an XSD datatype, and an example value ("" when none)."""
    return _DATATYPES.get(local_name(datatype), (curie(datatype), ""))


def _guide(field: str, predicate: str | None, params: Params) -> str:
    from gdcat.validate.guide import value_guide

    return value_guide(field, predicate, params.get("in", ()))


def describe_value(value: str | None, kind: str | None) -> str:
    """A value as a steward reads it: CURIE or <IRI>, quoted literal, or a nested node."""
    if value is None:
        return ""
    if kind == "iri":
        return curie(value)
    if kind == "bnode":
        return "a nested description"
    return f'"{value}"'


def _first(params: Params, key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def _count(n: str | None) -> str:
    return f"{n} value" + ("" if n == "1" else "s")


def explain(
    component: str,
    field: str,
    predicate: str | None,
    params: Params,
    value: str | None = None,
    value_kind: str | None = None,
    shape_message: str | None = None,
    severity: str = "Violation",
    subject: str = "This node",
) -> Explanation:
    """The message and hint for one result.

    ``component`` is the constraint component's local name without the
    ``ConstraintComponent`` suffix (``MinCount``, ``Datatype``, ``Node``, ``SPARQL``...).
    """
    where = f"`{field}`" if field else subject
    shown = describe_value(value, value_kind)
    specific = _SPECIFIC_HINTS.get((component, predicate or ""))
    guide = _guide(field, predicate, params) if field else ""
    if component == "MinCount" and severity != "Violation":
        # The "recommended" shapes of DCAT-AP and HealthDCAT-AP are minCount at Warning level.
        return Explanation(
            f"{where} is recommended but missing.",
            specific
            or (
                f"Add {where} if you can: {guide}."
                if guide
                else f"Add {where} if you can{_range_hint(params)}."
            ),
        )
    message, hint = _generic(component, where, params, shown, shape_message)
    special = _SPECIFIC_MESSAGES.get((component, predicate or ""))
    if special:
        message = special.format(field=field)
    if specific:
        return Explanation(message, specific)
    if guide and component == "MinCount":
        hint = f"Add {where}: {guide}."
    elif guide and component == "Pattern":
        hint = f"Write {where} in the expected form: {guide}."
    elif guide and component == "Datatype" and ", e.g. `" in guide:
        rdf = hint.find(" In RDF")
        hint = f"Write {where} as {guide}." + (hint[rdf:] if rdf >= 0 else "")
    elif guide and component == "In":
        hint = f"Choose {guide}."
    elif (
        guide
        and component not in {"MaxCount", "Closed", "UniqueLang", "Datatype"}
        and not hint.startswith("Write ")
        # a value that must come from a named vocabulary: the vocabulary is the answer
        and not (component == "Node" and params.get("scheme"))
    ):
        hint += f" A correct value is {guide}."
    return Explanation(message, hint)


def _generic(
    component: str, where: str, params: Params, shown: str, shape_message: str | None
) -> tuple[str, str]:
    rule = f" Rule: {_sentence(shape_message)}" if shape_message else ""
    if component == "MinCount":
        n = _first(params, "minCount") or "1"
        if n == "1":
            message = f"{where} is required but missing."
        else:
            message = f"{where} needs at least {_count(n)}."
        return message, f"Add {where}{_range_hint(params)}."
    if component == "MaxCount":
        n = _first(params, "maxCount") or "1"
        if n == "0":
            return f"{where} must not be given.", f"Remove {where}."
        return (
            f"{where} has more than {_count(n)}.",
            f"Keep at most {_count(n)} for {where} and remove the others.",
        )
    if component == "Datatype":
        datatype = _first(params, "datatype") or ""
        label, example = _DATATYPES.get(local_name(datatype), (curie(datatype), ""))
        message = f"{where} has the value {shown}, which is not {label}."
        hint = f"Write {where} as {label}"
        hint += f", e.g. {example}." if example else "."
        if local_name(datatype) in {"nonNegativeInteger", "positiveInteger", "integer"}:
            hint += " In RDF, type it " + curie(datatype) + "."
        return message, hint
    if component == "NodeKind":
        kind = local_name(_first(params, "nodeKind") or "")
        label, hint = _NODE_KINDS.get(kind, (kind, "Change the kind of value."))
        return f"{where} must be {label}, but {shown or 'its value'} is not.", hint
    if component == "Class":
        cls = curie(_first(params, "class") or "")
        return (
            f"{where} points to {shown or 'a resource'}, which is not described as a {cls}.",
            f"Point {where} to a {cls}, or state the type of {shown or 'the value'} "
            f"(rdf:type {cls}) and describe it.",
        )
    if component == "HasValue":
        expected = ", ".join(curie(v) for v in params.get("hasValue", ())) or "the required value"
        return f"{where} must include {expected}.{rule}", f"Set {where} to {expected}."
    if component == "In":
        allowed = ", ".join(curie(v) for v in params.get("in", ()))
        return (
            f"{where} has {shown}, which is not one of the allowed values.",
            f"Choose one of: {allowed}." if allowed else "Choose one of the allowed values.",
        )
    if component == "Pattern":
        pattern = _first(params, "pattern") or ""
        message = f"{where} has {shown}, which does not have the expected form."
        return message + rule, f"Write {where} so that it matches {pattern!r}."
    if component in {"MinLength", "MaxLength"}:
        limit = _first(params, component[0].lower() + component[1:])
        return (
            f"{where} has {shown}, whose length is out of bounds.",
            f"Make {where} {'at least' if component == 'MinLength' else 'at most'} "
            f"{limit} characters long.",
        )
    if component in {"MinInclusive", "MinExclusive", "MaxInclusive", "MaxExclusive"}:
        key = component[0].lower() + component[1:]
        return (
            f"{where} has {shown}, which is out of range.",
            f"Use a value {_RANGE_WORDS[component]} {_first(params, key)}.",
        )
    if component == "UniqueLang":
        return (
            f"{where} has more than one value in the same language.",
            f"Keep one {where} per language.",
        )
    if component == "LanguageIn":
        allowed = ", ".join(params.get("languageIn", ()))
        return f"{where} has {shown} in a language that is not allowed.", f"Use: {allowed}."
    if component == "Node":
        scheme = _first(params, "scheme")
        if scheme:
            return (
                f"{where} uses {shown or 'a value'}, which is not a concept of the controlled "
                f"vocabulary {scheme}.",
                f"Pick a concept from {scheme}.",
            )
        if shown.startswith('"'):
            # A literal handed to a node shape (a date checked by DCAT-AP's date shape).
            either = _alternative_words(params)
            return (
                f"{where} has {shown}, which is not a value of the required form.{rule}",
                f"Write {where} as {either}." if either else f"Correct {where}.",
            )
        either = _alternative_words(params)
        return (
            f"{where} ({shown or 'its value'}) is not described as required.{rule}",
            f"Point {where} to {either}, typed as such (rdf:type)."
            if either
            else f"Complete the description of {where}.",
        )
    if component in {"Or", "Xone", "And", "Not"}:
        either = _alternative_words(params)
        return (
            f"{where} ({shown or 'its value'}) does not satisfy the required combination of "
            f"conditions.{rule}",
            f"Write {where} as {either}."
            if either
            else f"Change {where} so that it meets the rule.",
        )
    if component == "SPARQL":
        return (
            f"{where} breaks a rule of the profile.{rule}",
            "Change the record so that the rule holds.",
        )
    if component in _COMPARISONS:
        key = component[0].lower() + component[1:]
        other = _first(params, key) or ""
        other_field = f"`{field_name(other)}`" if other else "the other field"
        words = _COMPARISONS[component]
        return (
            f"{where} must be {words} {other_field}, and it is not.{rule}",
            f"Make {where} {words} {other_field} (or correct {other_field}).",
        )
    if component == "Closed":
        return f"{where} is not allowed here.", f"Remove {where}."
    return (
        f"{where} does not meet the {component} constraint.{rule}",
        f"Check {where} against the profile.",
    )


#: Property-pair constraints: how a steward reads each.
_COMPARISONS = {
    "LessThan": "less than",
    "LessThanOrEquals": "at most",
    "Equals": "equal to",
    "Disjoint": "different from",
}

_RANGE_WORDS = {
    "MinInclusive": "of at least",
    "MinExclusive": "greater than",
    "MaxInclusive": "of at most",
    "MaxExclusive": "less than",
}


def _alternative_words(params: Params) -> str:
    """``a date (YYYY-MM-DD), a date and time (e.g. 2024-01-31T12:00:00Z) or a year``."""
    words = []
    for alternative in params.get("alternatives", ()):
        kind, _, iri = alternative.partition(" ")
        if kind == "datatype":
            label, example = datatype_words(iri)
            words.append(f"{label} (e.g. {example})" if example else label)
        else:
            words.append(f"a {curie(iri)}")
    if not words:
        return ""
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _range_hint(params: Params) -> str:
    datatype = _first(params, "datatype")
    if datatype:
        label, _ = _DATATYPES.get(local_name(datatype), (curie(datatype), ""))
        return f" ({label})"
    cls = _first(params, "class")
    if cls:
        return f" (a {curie(cls)})"
    kind = _first(params, "nodeKind")
    if kind:
        return f" ({_NODE_KINDS.get(local_name(kind), (local_name(kind), ''))[0]})"
    return ""
