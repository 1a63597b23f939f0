"""Read-only tables derived from the LinkML model (``model/gdcat.yaml``).

The rest of gdcat asks the model questions through these functions instead of opening the
schema itself: which predicate a steward field stands for and back, which XSD datatype a
predicate's literals carry, which class a nested field describes. Everything is computed once
(``functools.cache``) from the schema files, which are read-only artefacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from linkml_runtime.utils.schemaview import SchemaView

from gdcat.paths import model_dir

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = XSD + "string"
XSD_ANY_URI = XSD + "anyURI"

#: Types whose values are IRIs, not literals.
_IRI_TYPES = frozenset({XSD_ANY_URI})
#: Literal types that carry no datatype worth restoring (plain and language-tagged strings).
_UNTYPED_LITERALS = frozenset({XSD_STRING, RDF_LANG_STRING})


@dataclass(frozen=True)
class SlotInfo:
    """What the model says about one slot (a steward field and its predicate)."""

    name: str
    predicate: str
    #: "literal", "lang_string", "iri", "enum" or "object" (a nested node of ``range_class``)
    kind: str
    multivalued: bool
    #: XSD datatype IRIs of typed literals (several for a union such as "date or dateTime")
    datatypes: tuple[str, ...] = ()
    #: the class name of nested nodes (kind "object")
    range_class: str | None = None
    #: the enum name (kind "enum")
    range_enum: str | None = None
    #: True when the value names another record (a dataset, a series) rather than describes a node
    reference_only: bool = False


@dataclass(frozen=True)
class ClassInfo:
    """What the model says about one class: its IRI and the slots its nodes may carry."""

    name: str
    uri: str
    slots: tuple[str, ...]
    required: tuple[str, ...]
    recommended: tuple[str, ...]
    #: True for document-like classes whose instances are only named by IRI, and typed when named
    typed_reference: bool = False
    #: True for vocabulary concepts and schemes: named by IRI, described by the vocabulary
    vocabulary_term: bool = False
    #: True when instances must be IRIs (the class has an identifier slot)
    has_identifier: bool = False


@cache
def schema_view() -> SchemaView:
    """The merged LinkML schema (gdcat.yaml with its imported modules)."""
    return SchemaView(str(model_dir() / "gdcat.yaml"), merge_imports=True)


def _annotation(element: object, key: str) -> bool:
    annotations = getattr(element, "annotations", None) or {}
    ann = annotations.get(key)
    if ann is None:
        return False
    value = getattr(ann, "value", ann)
    return str(value).lower() in {"true", "1", "yes"}


def _slot_info(sv: SchemaView, name: str) -> SlotInfo:
    slot = sv.get_slot(name)
    predicate = sv.get_uri(slot, expand=True)
    ranges = [a.range for a in slot.any_of] if slot.any_of else [slot.range or "string"]
    classes = sv.all_classes()
    enums = sv.all_enums()
    kind = "literal"
    datatypes: list[str] = []
    range_class: str | None = None
    range_enum: str | None = None
    for rng in ranges:
        if rng in classes:
            kind, range_class = "object", rng
        elif rng in enums:
            kind, range_enum = "enum", rng
        else:
            uri = sv.get_uri(sv.induced_type(rng), expand=True)
            if uri in _IRI_TYPES:
                kind = "iri"
            elif uri == RDF_LANG_STRING:
                kind = "lang_string"
            elif uri not in _UNTYPED_LITERALS:
                datatypes.append(uri)
    return SlotInfo(
        name=name,
        predicate=predicate,
        kind=kind,
        multivalued=bool(slot.multivalued),
        datatypes=tuple(datatypes),
        range_class=range_class,
        range_enum=range_enum,
        reference_only=_annotation(slot, "reference_only"),
    )


@cache
def slots() -> dict[str, SlotInfo]:
    """Every slot that has a predicate, by steward field name (the ``id`` slot excluded)."""
    sv = schema_view()
    table: dict[str, SlotInfo] = {}
    for name in sorted(sv.all_slots()):
        slot = sv.get_slot(name)
        if slot.identifier:
            continue
        table[name] = _slot_info(sv, name)
    return table


@cache
def classes() -> dict[str, ClassInfo]:
    """Every concrete class (mixins excluded), by name, with its induced slots."""
    sv = schema_view()
    table: dict[str, ClassInfo] = {}
    for name in sorted(sv.all_classes()):
        cls = sv.get_class(name)
        if cls.mixin or cls.abstract:
            continue
        induced = sv.class_induced_slots(name)
        table[name] = ClassInfo(
            name=name,
            uri=sv.get_uri(cls, expand=True),
            slots=tuple(s.name for s in induced if not s.identifier),
            required=tuple(s.name for s in induced if s.required and not s.identifier),
            recommended=tuple(s.name for s in induced if s.recommended),
            typed_reference=_annotation(cls, "typed_reference"),
            vocabulary_term=_annotation(cls, "vocabulary_term"),
            has_identifier=any(s.identifier for s in induced),
        )
    return table


@cache
def class_slot_info(class_name: str) -> dict[str, SlotInfo]:
    """The slots of one class with the class's own cardinalities (slot_usage applied)."""
    sv = schema_view()
    out: dict[str, SlotInfo] = {}
    for induced in sv.class_induced_slots(class_name):
        if induced.identifier:
            continue
        base = slots()[induced.name]
        if bool(induced.multivalued) != base.multivalued:
            base = SlotInfo(**{**base.__dict__, "multivalued": bool(induced.multivalued)})
        out[induced.name] = base
    return out


@cache
def _predicate_index() -> dict[str, str]:
    return {info.predicate: name for name, info in slots().items()}


def slot_name_for(predicate_iri: str) -> str | None:
    """The steward field name of a predicate: ``dct:title`` (expanded) -> ``"title"``."""
    return _predicate_index().get(str(predicate_iri))


def predicate_for(slot_name: str) -> str | None:
    """The predicate IRI of a steward field: ``"title"`` -> ``http://purl.org/dc/terms/title``."""
    info = slots().get(slot_name)
    return info.predicate if info else None


@cache
def datatype_ranges() -> dict[str, str]:
    """Predicate IRI -> XSD datatype IRI, for every slot whose values are typed literals.

    Slots whose range is a union of datatypes (``issued``: date or dateTime) are left out:
    their datatype is whatever the publisher wrote, and a store must not rewrite it.
    """
    return {
        info.predicate: info.datatypes[0]
        for info in slots().values()
        if info.kind == "literal" and len(info.datatypes) == 1
    }


@cache
def class_uris() -> dict[str, str]:
    """Class name -> class IRI, for the concrete classes."""
    return {name: info.uri for name, info in classes().items()}


@cache
def enum_values() -> dict[str, dict[str, str]]:
    """Enum name -> {code: concept IRI} (e.g. ``SequencingTypeEnum`` -> ``{"WGS": ...}``)."""
    sv = schema_view()
    out: dict[str, dict[str, str]] = {}
    for name in sorted(sv.all_enums()):
        enum = sv.get_enum(name)
        out[name] = {
            code: sv.expand_curie(pv.meaning)
            for code, pv in enum.permissible_values.items()
            if pv.meaning
        }
    return out


@cache
def prefixes() -> dict[str, str]:
    """Every prefix declared in the schema modules (usable as CURIEs in steward YAML)."""
    sv = schema_view()
    return {p.prefix_prefix: str(p.prefix_reference) for p in sv.schema.prefixes.values()}
