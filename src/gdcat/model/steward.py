"""Steward YAML -> RDF.

A steward writes one dataset (a mapping of field names) or several (a list of mappings) in
YAML; the field names are the model's slot names (``docs/steward-yaml.md``). This module checks
the document's *structure* against the model (unknown fields, a list where one value is
allowed, a mapping where text is expected), reporting the line of the problem, and turns the
document into JSON-LD with the generated context (``ontologies/gdcat.context.jsonld``), which
rdflib's JSON-LD parser reads into a graph. Value problems (a negative count, a term from the
wrong vocabulary) are not errors here: they reach the graph as written and validation reports
them against the field.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from rdflib import Graph
from yaml.constructor import SafeConstructor
from yaml.events import MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gdcat.errors import (
    DocumentTooComplexError,
    DocumentTooLargeError,
    SourceLocation,
    StewardDocumentError,
)
from gdcat.model import schema
from gdcat.paths import ontologies_dir
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits, xml_unsafe_character

CONTEXT_FILE = "gdcat.context.jsonld"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: The classes a top-level mapping may describe (``type:``); the first is the default.
RECORD_CLASSES = ("Dataset", "DatasetSeries")
#: Language of a plain string in a multilingual field.
DEFAULT_LANGUAGE = "en"

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-_]*):(.*)$", re.DOTALL)
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")
_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@cache
def _context() -> dict[str, Any]:
    path = ontologies_dir() / CONTEXT_FILE
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def context_document() -> dict[str, Any]:
    """The generated JSON-LD context document (``{"@context": {...}}``); a fresh copy."""
    return copy.deepcopy(_context())


@dataclass(frozen=True)
class _Where:
    source: str
    #: set for a spreadsheet's nodes (gdcat.model.spreadsheet): their marks are cells, the
    #: mark's name the column's header ("" for a row), ``sheet`` "" for a CSV file
    sheet: str | None = None

    def at(self, node: Node) -> SourceLocation:
        mark = node.start_mark
        if self.sheet is None:
            return SourceLocation(self.source, mark.line + 1, mark.column + 1)
        return SourceLocation(
            self.source,
            mark.line + 1,
            mark.column + 1 if mark.name else None,
            sheet=self.sheet,
            field=mark.name or None,
        )

    def error(self, node: Node, message: str) -> StewardDocumentError:
        return StewardDocumentError(message, self.at(node))


def load_steward_yaml(
    text: str,
    source: str,
    context: dict[str, Any] | None = None,
    *,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Graph:
    """Read a steward YAML document into an RDF graph.

    Raises :class:`StewardDocumentError` (with the line) for YAML syntax errors, unknown
    fields, and values of the wrong shape (a list for a single-valued field, a mapping where
    text or an IRI is expected, a dataset without ``id``), and a
    :class:`~gdcat.errors.ParseLimitError` for a document nested too deeply or expanding
    (through aliases) too far. ``context`` replaces the committed JSON-LD context (the
    generator passes the one it is about to write).
    """
    document = steward_to_jsonld(text, source, context, limits=limits)
    graph = Graph()
    try:
        graph.parse(data=json.dumps(document), format="json-ld")
    except Exception as e:  # rdflib raises assorted errors for malformed JSON-LD
        raise StewardDocumentError(
            f"could not convert the document to RDF: {e}", SourceLocation(source)
        ) from e
    return graph


def steward_to_jsonld(
    text: str,
    source: str,
    context: dict[str, Any] | None = None,
    *,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """The JSON-LD document (with the inline gdcat context) a steward YAML document stands for."""
    where = _Where(source)
    loader: _StewardLoader | None = None
    try:
        loader = _StewardLoader(text, where, limits)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        location = SourceLocation(source, mark.line + 1, mark.column + 1) if mark else None
        raise StewardDocumentError(f"not valid YAML: {e.problem or e}", location) from e
    except yaml.YAMLError as e:  # the reader's errors (a control character) carry no mark
        raise StewardDocumentError(f"not valid YAML: {e}", SourceLocation(source)) from e
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise StewardDocumentError("the document is empty", SourceLocation(source, 1))
    _check_expansion(where, root, limits)
    if isinstance(root, SequenceNode):
        records = list(root.value)
        if not records:
            raise where.error(root, "the list of datasets is empty")
    else:
        records = [root]
    converted = [_record(where, node) for node in records]
    active = context if context is not None else context_document()
    return {"@context": active["@context"], "@graph": converted}


def load_steward_nodes(
    records: list[Node],
    source: str,
    sheet: str,
    into: Graph,
    context: dict[str, Any] | None = None,
) -> list[str]:
    """Read records given as composed YAML nodes (a spreadsheet's rows, whose marks are their
    cells) into the graph ``into``, through the same checks as :func:`load_steward_yaml`;
    errors name the sheet, row and column. Returns each record's IRI, in order."""
    where = _Where(source, sheet)
    converted = [_record(where, node) for node in records]
    active = context if context is not None else context_document()
    document = {"@context": active["@context"], "@graph": converted}
    try:
        into.parse(data=json.dumps(document), format="json-ld")
    except Exception as e:  # rdflib raises assorted errors for malformed JSON-LD
        raise StewardDocumentError(
            f"could not convert the document to RDF: {e}", SourceLocation(source, sheet=sheet)
        ) from e
    return [str(record["@id"]) for record in converted]


#: The tags plain YAML values resolve to; any other (``!!python/name:``, ``!!binary``, a
#: local ``!tag``) is refused.
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
)


class _StewardLoader(yaml.SafeLoader):
    """PyYAML's safe loader, used to compose nodes only, refusing nesting past the limit
    before the (recursive) composer goes deeper."""

    def __init__(self, text: str, where: _Where, limits: ParseLimits) -> None:
        super().__init__(text)
        self._where = where
        self._limits = limits
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        collection = self.check_event(SequenceStartEvent, MappingStartEvent)
        if collection:
            self._depth += 1
            if self._depth > self._limits.max_nesting_depth:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise DocumentTooComplexError(
                    f"YAML lists or mappings nested more than "
                    f"{self._limits.max_nesting_depth} levels deep",
                    SourceLocation(self._where.source, mark.line + 1, mark.column + 1),
                    setting="max_nesting_depth",
                    value=self._limits.max_nesting_depth,
                )
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
        return node


def _check_expansion(where: _Where, root: Node, limits: ParseLimits) -> None:
    """Refuse unknown tags, recursive aliases, and a document whose aliases expand it past the
    triple limit (a YAML "billion laughs": each alias repeats the whole node it names)."""
    limit = limits.max_document_triples
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    todo: list[tuple[Node, bool]] = [(root, False)]
    while todo:
        node, finished = todo.pop()
        key = id(node)
        children = _children(node)
        if finished:
            on_path.discard(key)
            size = sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if size > limit:
                raise DocumentTooLargeError(
                    f"the document stands for more than {limit:,} values once its aliases "
                    "are expanded: write smaller documents",
                    where.at(node),
                    setting="max_document_triples",
                    value=limit,
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise where.error(node, "an alias names a list or mapping it is part of")
        if node.tag not in _PLAIN_TAGS:
            raise where.error(
                node, f"unsupported YAML tag {node.tag!r}: steward documents hold plain values"
            )
        on_path.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# --------------------------------------------------------------------------- records


def _record(where: _Where, node: Node) -> dict[str, Any]:
    if not isinstance(node, MappingNode):
        raise where.error(node, "a dataset must be a mapping of field names to values")
    pairs = _pairs(where, node)
    class_name = RECORD_CLASSES[0]
    if "type" in pairs:
        _, value_node = pairs.pop("type")
        value = _scalar(where, value_node, "type")
        if value not in RECORD_CLASSES:
            raise where.error(
                value_node,
                f"type must be one of {', '.join(RECORD_CLASSES)}, not {value!r}",
            )
        class_name = str(value)
    if "id" not in pairs:
        raise where.error(node, f"a {class_name} needs an id: the IRI that identifies it")
    return _object(where, node, pairs, class_name, path="")


def _pairs(where: _Where, node: MappingNode) -> dict[str, tuple[Node, Node]]:
    pairs: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise where.error(key_node, "field names must be plain words")
        key = str(key_node.value)
        if key in pairs:
            raise where.error(key_node, f"field {key!r} is given twice")
        pairs[key] = (key_node, value_node)
    return pairs


def _object(
    where: _Where,
    node: MappingNode,
    pairs: dict[str, tuple[Node, Node]],
    class_name: str,
    path: str,
) -> dict[str, Any]:
    allowed = schema.class_slot_info(class_name)
    out: dict[str, Any] = {"@type": class_name}
    for key, (key_node, value_node) in pairs.items():
        field = f"{path}{key}"
        if key == "id":
            out["@id"] = _iri_value(where, value_node, field, required=True)
            continue
        slot = allowed.get(key)
        if slot is None:
            raise where.error(key_node, _unknown_field_message(key, class_name, allowed))
        values = _values(where, value_node, slot, field)
        converted = [_convert(where, vnode, slot, field) for vnode in values]
        if slot.kind == "lang_string":
            out[key] = _language_map(converted)
        else:
            out[key] = converted if slot.multivalued else converted[0]
    return out


def _unknown_field_message(key: str, class_name: str, allowed: dict[str, schema.SlotInfo]) -> str:
    if key in schema.slots():
        return f"field {key!r} is not allowed on a {class_name}"
    message = f"unknown field {key!r} for a {class_name}"
    close = difflib.get_close_matches(key, list(allowed), n=3, cutoff=0.6)
    if close:
        message += f" (did you mean {' or '.join(repr(c) for c in close)}?)"
    return message


def _values(where: _Where, node: Node, slot: schema.SlotInfo, field: str) -> list[Node]:
    if isinstance(node, SequenceNode):
        if not slot.multivalued:
            raise where.error(node, f"{field} takes one value, not a list")
        if not node.value:
            raise where.error(node, f"{field} is an empty list: leave the field out instead")
        return list(node.value)
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        raise where.error(node, f"{field} has no value: leave the field out instead")
    return [node]


# --------------------------------------------------------------------------- values


def _scalar(where: _Where, node: Node, field: str) -> Any:
    if not isinstance(node, ScalarNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
        raise where.error(node, f"{field} must be a single value, not {kind}")
    try:
        value = SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as e:
        # a date that does not exist, an integer too long to read
        problem = getattr(e, "problem", None) or str(e)
        raise where.error(node, f"{field}: cannot read {node.value!r}: {problem}") from e
    if isinstance(value, str):
        char = xml_unsafe_character(value)
        if char is not None:
            raise where.error(
                node,
                f"{field} holds the character U+{ord(char):04X}, which XML cannot carry "
                "(RDF/XML and SPARQL XML answers would be ill-formed): remove it",
            )
    return value


def _convert(where: _Where, node: Node, slot: schema.SlotInfo, field: str) -> Any:
    if slot.kind == "lang_string":
        return _lang_strings(where, node, field)
    if slot.kind == "object":
        return _nested(where, node, slot, field)
    value = _scalar(where, node, field)
    if slot.kind == "iri":
        return _iri_or_literal(value)
    if slot.kind == "enum":
        assert slot.range_enum is not None
        codes = schema.enum_values()[slot.range_enum]
        if isinstance(value, str) and value in codes:
            return {"@id": codes[value]}
        return _iri_or_literal(value)
    return _typed_literal(value, slot)


def _lang_strings(where: _Where, node: Node, field: str) -> list[tuple[str, str]]:
    if isinstance(node, MappingNode):
        out: list[tuple[str, str]] = []
        for key_node, value_node in node.value:
            lang = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            if not _LANG_TAG.match(lang):
                raise where.error(
                    key_node, f"{field}: {lang!r} is not a language tag (use en, nl, fi, ...)"
                )
            texts = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for text_node in texts:
                text = _scalar(where, text_node, f"{field}.{lang}")
                out.append((lang.lower(), _text(text)))
        return out
    return [(DEFAULT_LANGUAGE, _text(_scalar(where, node, field)))]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _language_map(pairs: list[list[tuple[str, str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for group in pairs:
        for lang, text in group:
            out.setdefault(lang, []).append(text)
    return out


def _nested(where: _Where, node: Node, slot: schema.SlotInfo, field: str) -> Any:
    assert slot.range_class is not None
    target = schema.classes()[slot.range_class]
    if isinstance(node, MappingNode):
        if slot.reference_only:
            raise where.error(node, f"{field} names another record: give its IRI, not a mapping")
        return _object(where, node, _pairs(where, node), slot.range_class, path=f"{field}.")
    value = _scalar(where, node, field)
    ref = _iri_or_literal(value)
    if "@id" in ref and target.typed_reference and not slot.reference_only:
        # DCAT-AP's range checks want referenced documents, standards, languages... typed.
        ref["@type"] = slot.range_class
    return ref


def _expand(value: str) -> str | None:
    """An absolute IRI for a full IRI or a CURIE with a schema prefix; None for anything else."""
    match = _SCHEME.match(value)
    if not match or _IRI_FORBIDDEN.search(value):
        return None
    prefix, local = match.groups()
    namespace = schema.prefixes().get(prefix)
    if namespace is not None and not local.startswith("//"):
        return namespace + local
    return value


def _iri_or_literal(value: Any) -> dict[str, Any]:
    """An IRI value, or (if the value is not an IRI) a plain literal that validation will flag."""
    if isinstance(value, str):
        iri = _expand(value)
        if iri is not None:
            return {"@id": iri}
    return {"@value": _literal_text(value)}


def _iri_value(where: _Where, node: Node, field: str, required: bool) -> str:
    value = _scalar(where, node, field)
    iri = _expand(value) if isinstance(value, str) else None
    if iri is None:
        raise where.error(node, f"{field} must be an IRI (https://...) or a CURIE, not {value!r}")
    return iri


def _literal_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _typed_literal(value: Any, slot: schema.SlotInfo) -> Any:
    text = _literal_text(value)
    if not slot.datatypes:
        return {"@value": text}
    if len(slot.datatypes) == 1:
        return {"@value": text, "@type": slot.datatypes[0]}
    # Union of date and dateTime: choose by the value's form.
    if isinstance(value, dt.datetime) or _DATETIME.match(text):
        chosen = XSD + "dateTime"
    elif isinstance(value, dt.date) or _DATE.match(text):
        chosen = XSD + "date"
    else:
        return {"@value": text}
    if chosen in slot.datatypes:
        return {"@value": text, "@type": chosen}
    return {"@value": text, "@type": slot.datatypes[0]}


# --------------------------------------------------------------------------- RDF -> YAML


def dump_steward_yaml(graph: Graph) -> str:
    """Steward YAML for the datasets and dataset series of ``graph`` (the inverse of loading).

    Properties the model does not know are left out (steward YAML cannot say them); a text
    without a language tag comes back as English, as a plain string in YAML is read.
    """
    from rdflib import RDF, URIRef

    by_uri = {info.uri: name for name, info in schema.classes().items()}
    records: list[dict[str, Any]] = []
    for class_name in RECORD_CLASSES:
        uri = URIRef(schema.classes()[class_name].uri)
        for node in sorted(set(graph.subjects(RDF.type, uri)), key=str):
            records.append(_dump_node(graph, node, class_name, by_uri, frozenset()))
    document: Any = records[0] if len(records) == 1 else records
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _dump_node(
    graph: Graph, node: Any, class_name: str, by_uri: dict[str, str], seen: frozenset[Any]
) -> dict[str, Any]:
    from rdflib import URIRef

    out: dict[str, Any] = {}
    if isinstance(node, URIRef):
        out["id"] = str(node)
    if class_name in RECORD_CLASSES and class_name != RECORD_CLASSES[0]:
        out["type"] = class_name
    allowed = schema.class_slot_info(class_name)
    seen = seen | {node}
    for name, slot in allowed.items():
        values = sorted(graph.objects(node, URIRef(slot.predicate)), key=_sort_key)
        if not values:
            continue
        if slot.kind == "lang_string":
            out[name] = _dump_texts(values)
            continue
        dumped = [_dump_value(graph, v, slot, by_uri, seen) for v in values]
        out[name] = dumped if (slot.multivalued and len(dumped) > 1) else dumped[0]
    return out


def _sort_key(term: Any) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def _dump_texts(values: list[Any]) -> dict[str, Any]:
    texts: dict[str, list[str]] = {}
    for value in values:
        lang = getattr(value, "language", None) or DEFAULT_LANGUAGE
        texts.setdefault(lang, []).append(str(value))
    return {lang: items[0] if len(items) == 1 else items for lang, items in texts.items()}


def _dump_value(
    graph: Graph, value: Any, slot: schema.SlotInfo, by_uri: dict[str, str], seen: frozenset[Any]
) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(value, Literal):
        if slot.datatypes and value.datatype is not None and value.ill_typed is False:
            python = value.toPython()
            if isinstance(python, bool | int | dt.date):
                return python
        return str(value)
    if slot.kind == "enum" and slot.range_enum is not None:
        for code, iri in schema.enum_values()[slot.range_enum].items():
            if iri == str(value):
                return code
    described = any(p for p, _ in graph.predicate_objects(value) if str(p) != _RDF_TYPE)
    if (
        slot.kind == "object"
        and slot.range_class is not None
        and not slot.reference_only
        and (isinstance(value, BNode) or described)
        and value not in seen
    ):
        return _dump_node(graph, value, slot.range_class, by_uri, seen)
    if isinstance(value, URIRef):
        return _compact(str(value))
    return str(value)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CURIE_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _compact(iri: str) -> str:
    """A CURIE with the schema's longest matching prefix, or the IRI itself."""
    best_prefix, best_ns = "", ""
    for prefix, namespace in schema.prefixes().items():
        if iri.startswith(namespace) and len(namespace) > len(best_ns):
            best_prefix, best_ns = prefix, namespace
    local = iri[len(best_ns) :]
    if best_ns and _CURIE_LOCAL.match(local) and _expand(f"{best_prefix}:{local}") == iri:
        return f"{best_prefix}:{local}"
    return iri
