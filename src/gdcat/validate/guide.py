"""What a correct value of a steward field looks like: the part of a fix hint that shows it.

A hint that says only "Add `spatial`" leaves the steward to find out what ``spatial`` takes.
This module says it from what gdcat ships, never from a second list:

* the allowed codes of a field whose range is one of the model's enums, each with its label
  from gdcat's own vocabulary (``sequencing_type``: *WGS (Whole genome sequencing), WES…*);
* the allowed terms of a shape's ``sh:in`` list, each with its vocabulary label;
* an example value written as a steward writes it, taken from the valid example records
  beside the model (``model/examples/valid/*.yaml``), with the label of the term it names
  (``access_rights: access-right:NON_PUBLIC`` — *non-public*);
* else the kind of value the model gives the field (text in several languages, a whole number,
  a link, a nested description and the fields it needs).

Everything is read once per process. The model and its examples are optional here: without
them a hint falls back to the constraint's own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

#: Longest example value quoted in a hint (a nested description is summarised instead).
EXAMPLE_CHARACTERS = 120
#: Most allowed values listed in a hint.
LISTED_VALUES = 12

_KIND_WORDS = {
    "lang_string": "text, in one or more languages",
    "iri": "a link (an IRI or a CURIE)",
}


def value_guide(field_path: str, predicate: str | None, allowed: Sequence[str] = ()) -> str:
    """A phrase saying what a correct value of ``field_path`` looks like ("" if unknown).

    ``allowed`` is the shape's list of allowed values (``sh:in``), when it has one.
    """
    try:
        return _guide(field_path, predicate, tuple(allowed))
    except Exception:  # a broken model or example must never break a validation report
        return ""


@lru_cache(maxsize=4096)
def _guide(field_path: str, predicate: str | None, allowed: tuple[str, ...]) -> str:
    # The model and vocabularies are fixed for the process: one phrase per field and values.
    if allowed:
        return "one of: " + _listed([_term_with_label(value) for value in allowed])
    info = _slot(field_path, predicate)
    if info is None:
        return ""
    from gdcat.model.schema import classes, enum_values

    if info.kind == "enum" and info.range_enum:
        codes = enum_values().get(info.range_enum, {})
        return "one of: " + _listed([_with_label(code, iri) for code, iri in codes.items()])
    example = _example_phrase(field_path, info.name)
    if info.reference_only:
        return "the IRI of another record" + (f", e.g. {example}" if example else "")
    if info.kind == "object" and info.range_class:
        cls = classes().get(info.range_class)
        if cls is not None and not (cls.vocabulary_term or cls.typed_reference):
            needs = ", ".join(f"`{name}`" for name in cls.required)
            kind = "a nested description" + (f" with {needs}" if needs else "")
            return kind + (f", e.g. {example}" if example else "")
        if cls is not None and cls.typed_reference:
            return _reference_phrase(cls.uri) + (f", e.g. {example}" if example else "")
        return f"a term such as {example}" if example else "a term from a vocabulary"
    if info.kind == "literal" and info.datatypes:
        from gdcat.validate.messages import datatype_words

        kind = " or ".join(dict.fromkeys(datatype_words(d)[0] for d in info.datatypes))
    else:
        kind = _KIND_WORDS.get(info.kind, "text")
    return kind + (f", e.g. {example}" if example else "")


def _reference_phrase(class_uri: str) -> str:
    """What a value of a typed-reference class is: a term of the EU authority table DCAT-AP
    takes such values from, else a link to a resource of that class."""
    from gdcat.validate.classes import TABLE_CLASSES
    from gdcat.validate.messages import curie

    tables = [str(t.scheme) for t in TABLE_CLASSES if any(str(c) == class_uri for c in t.classes)]
    if tables:
        return "a term of the EU authority table " + " or ".join(tables)
    return f"a link (IRI) to a {curie(class_uri)}"


def _listed(items: Sequence[str]) -> str:
    shown = list(items[:LISTED_VALUES])
    if len(items) > LISTED_VALUES:
        shown.append(f"and {len(items) - LISTED_VALUES} more")
    return ", ".join(shown)


def _slot(field_path: str, predicate: str | None) -> Any:
    from gdcat.model.schema import slot_name_for, slots

    table = slots()
    name = slot_name_for(predicate) if predicate else None
    if name is None and field_path:
        name = field_path.rsplit(".", 1)[-1]
    return table.get(name) if name else None


# --- example values from the valid example records ---------------------------------------


def _example_phrase(field_path: str, slot_name: str) -> str:
    """``field: value`` as YAML, with the label of the term it names, or ""."""
    value = example_values().get(field_path)
    if value is None:
        value = example_values().get(slot_name)
    if value is None:
        return ""
    if isinstance(value, dict) and "en" in value and _is_language_map(slot_name):
        value = {"en": value["en"]}  # one language shows the form; the others follow it
    text = _flow_yaml(value)
    if len(text) > EXAMPLE_CHARACTERS:
        return ""
    phrase = f"`{slot_name}: {text}`"
    if isinstance(value, str):
        label = concept_label(_expand(value))
        if label:
            phrase += f" ({label})"
    return phrase


def _is_language_map(slot_name: str) -> bool:
    from gdcat.model.schema import slots

    info = slots().get(slot_name)
    return info is not None and info.kind == "lang_string"


def _flow_yaml(value: object) -> str:
    import yaml

    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False
    )
    text = text.strip()
    return text[: -len("...")].strip() if text.endswith("...") else text


@cache
def example_values() -> Mapping[str, object]:
    """The first value each field has in the valid examples, by dotted field path and by
    field name (``distribution.format`` and ``format``)."""
    import yaml

    from gdcat.model.schema import slots
    from gdcat.paths import model_dir

    found: dict[str, object] = {}
    for path in sorted((model_dir() / "examples" / "valid").glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        documents = loaded if isinstance(loaded, list) else [loaded]
        for document in documents:
            if isinstance(document, dict):
                for field_path, value in _walk(document, "", slots()):
                    found.setdefault(field_path, value)
                    found.setdefault(field_path.rsplit(".", 1)[-1], value)
    return found


def _walk(
    node: Mapping[str, Any], prefix: str, table: Mapping[str, Any]
) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if key in ("id", "type") or value is None:
            continue
        path = f"{prefix}{key}"
        info = table.get(key)
        items = value if isinstance(value, list) else [value]
        if info is not None and info.kind == "object" and items and isinstance(items[0], dict):
            yield path, items[0]
            yield from _walk(items[0], path + ".", table)
        elif items:
            yield path, items[0]


# --- vocabulary labels ---------------------------------------------------------------------


def _expand(value: str) -> str:
    """A steward's CURIE (``access-right:PUBLIC``) as a full IRI; other text unchanged."""
    from gdcat.model.schema import prefixes

    prefix, sep, local = value.partition(":")
    if sep and not local.startswith("//"):
        namespace = prefixes().get(prefix)
        if namespace:
            return namespace + local
    return value


def steward_curie(iri: str) -> str:
    """An IRI as a steward writes it: a CURIE with one of the model's prefixes, else whole."""
    from gdcat.model.schema import prefixes

    best = ""
    for prefix, namespace in prefixes().items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, chosen = namespace, prefix
    return f"{chosen}:{iri[len(best) :]}" if best else iri


@cache
def concept_label(iri: str) -> str:
    """The English label of a vocabulary term gdcat ships, or ""."""
    from gdcat.validate.background import vocabulary_index

    triples = vocabulary_index().by_subject.get(URIRef(iri), ())
    labels = [o for _, p, o in triples if p == SKOS.prefLabel and isinstance(o, Literal)]
    labels += [o for _, p, o in triples if p == RDFS.label and isinstance(o, Literal)]
    english = [str(o) for o in labels if (o.language or "en").lower().startswith("en")]
    return english[0] if english else ""


def _with_label(code: str, iri: str) -> str:
    label = concept_label(iri)
    return f"{code} ({label})" if label and label != code else code


@cache
def _enum_codes() -> dict[str, str]:
    """Concept IRI -> the code a steward writes for it (``WES``), for every enum of the model."""
    from gdcat.model.schema import enum_values

    return {iri: code for codes in enum_values().values() for code, iri in codes.items()}


def _term_with_label(iri: str) -> str:
    return _with_label(_enum_codes().get(iri) or steward_curie(iri), iri)
