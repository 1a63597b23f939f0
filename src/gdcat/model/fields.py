"""The steward fields of a class, read from the LinkML model and the shipped vocabularies.

A form (``/describe``), a spreadsheet template or any other tool that asks a steward for a
dataset's description asks for these fields, in this order, with these labels, help texts and
allowed values. Nothing here is written by hand per field: a slot added to the model (or to a
class's ``slots``) becomes a field at the next start, in the "more" section unless a section
below names it.

API
---

``fields(class_name="Dataset", lang="en") -> tuple[Field, ...]``
    The class's fields in a sensible order (the sections below, then every other slot of the
    class in model order). Nested classes (a distribution, a publisher, its contact point…) are
    fields of kind ``object`` whose ``fields`` are the nested class's own, to ``MAX_DEPTH``
    levels; deeper, or for a class already described further up, the object field is listed
    without ``fields`` of its own (its values are carried whole).

``sections(class_name="Dataset", lang="en") -> tuple[Section, ...]``
    The same fields grouped: ``Section(id, title, fields)``; ids are stable (``identification``,
    ``genomic``, ``phenotypes``, ``data_use``, ``linked_data``, ``consent``, ``readiness``,
    ``access``, ``more``) so a user interface can translate titles and place steps.

``flatten(fields) -> list[Field]``
    Every leaf field, depth first, each with its dotted ``path`` (``distribution.access_url``):
    the columns of a one-row-per-dataset sheet.

``field_at(path, class_name="Dataset", lang="en") -> Field | None``
    The field at a dotted path.

``slot_label(name, lang) -> str`` · ``path_label(path, lang) -> str``
    A slot's label (of a dataset's or series' field of that name, at any depth, else the
    slot's title or name in words) and a dotted path's labels joined by `` › ``, in ``lang``.

``catalogue_texts() -> list[str]``
    Every English label and help text of the dataset's and series' fields: what
    :mod:`gdcat.model.translations` asks translators for.

``choices(vocabulary) -> tuple[Choice, ...]`` · ``search_terms(vocabulary, text, limit)`` ·
``resolve_term(vocabulary, text) -> Choice | None``
    The terms of a shipped vocabulary; a search by label words or code (for the large ones,
    ``Vocabulary.searchable``: HPO phenotypes, ORDO/MONDO diseases); a code, CURIE, IRI or exact
    label turned into its term.

A :class:`Field` carries ``name`` (the steward YAML field name), ``path``, ``label`` (the
slot's ``title`` in the model, else its name in words), ``help`` (the slot's description, as
the class uses it), ``kind`` (:class:`Kind`: text, multilingual, number, date, boolean, iri,
term, object), ``multivalued``, ``required`` and ``recommended`` (the class's ``slot_usage``),
``vocabulary`` (the vocabulary name, for kind ``term``), ``choices`` (every allowed value as
``Choice(value, label, iri)``, where ``value`` is what steward YAML takes: an enum code
``WGS`` or a CURIE ``DUO:0000042``; empty for searchable vocabularies), ``searchable``, and
for kind ``object`` the nested ``class_name`` and ``fields``. ``Field.allowed`` is
``[(value, label), ...]``.

Where the allowed values come from
----------------------------------

* A slot whose range is an enum of the model: the enum's permissible values (code and title).
* A slot that carries the annotation ``vocabulary: <name>`` (on the slot, or in a class's
  ``slot_usage`` when the vocabulary differs by class, as ``resource_type`` does): the terms of
  the shipped vocabulary of that name, defined in :data:`VOCABULARIES` (which files under
  ``ontologies/vocabularies``, which namespace, which root term, how labelled). The model
  says which slot takes which vocabulary; this module only knows how to read each one.

Field labels and help texts are in ``lang``: the model's English, translated through the
catalogues of :mod:`gdcat.model.translations` (a text without a translation stays English).
Choice labels are English (the vocabularies' English labels, CLDR names for languages and
countries); a user interface relabels ``Choice.iri`` in the reader's language where it can.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from babel import Locale
from babel.core import get_global

from gdcat.model import schema, translations
from gdcat.paths import ontologies_dir

#: How deep nested classes are described (Dataset -> publisher -> contact point -> ...).
MAX_DEPTH = 3
#: The annotation on a slot naming the vocabulary of its values.
VOCABULARY_ANNOTATION = "vocabulary"


class Kind(StrEnum):
    """What kind of value a field takes (how a form asks for it)."""

    TEXT = "text"
    MULTILINGUAL = "multilingual"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    IRI = "iri"
    TERM = "term"
    OBJECT = "object"


@dataclass(frozen=True)
class Choice:
    """An allowed value: what steward YAML takes (``value``), its label and its IRI."""

    value: str
    label: str
    iri: str


@dataclass(frozen=True)
class Field:
    """One steward field of a class (see the module's docstring)."""

    name: str
    path: str
    label: str
    help: str
    kind: Kind
    multivalued: bool
    required: bool = False
    recommended: bool = False
    vocabulary: str | None = None
    choices: tuple[Choice, ...] = ()
    searchable: bool = False
    class_name: str | None = None
    fields: tuple[Field, ...] = ()
    #: XSD datatypes of typed literals (a number's integer or decimal type)
    datatypes: tuple[str, ...] = ()
    #: the languages ``label`` and ``help`` are in (English where no translation exists)
    label_lang: str = "en"
    help_lang: str = "en"

    @property
    def allowed(self) -> list[tuple[str, str]]:
        """The allowed values as ``(value, label)`` pairs (empty: any value, or search)."""
        return [(c.value, c.label) for c in self.choices]

    @property
    def integer(self) -> bool:
        """True for a count (a number without decimals)."""
        return self.kind is Kind.NUMBER and any("nteger" in d for d in self.datatypes)


@dataclass(frozen=True)
class Section:
    """A group of fields a form shows together (a step)."""

    id: str
    title: str
    fields: tuple[Field, ...]


#: The sections of a dataset (and a series): id, English title, the slots it holds, in order.
#: Slots of the class that no section names go to ``more``; slots a section names that the
#: class lacks are skipped.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "identification",
        "Identification and description",
        (
            "id",
            "title",
            "description",
            "alternative",
            "keyword",
            "theme",
            "health_category",
            "health_theme",
            "language",
            "spatial",
            "temporal",
            "issued",
            "modified",
            "version",
            "identifier",
            "landing_page",
        ),
    ),
    (
        "genomic",
        "Genomic data",
        (
            "sequencing_type",
            "reference_genome",
            "number_of_unique_individuals",
            "number_of_genomes",
            "number_of_exomes",
            "number_of_samples",
            "sequencing_platform",
            "genomic_file_format",
        ),
    ),
    (
        "phenotypes",
        "Phenotypes and diseases",
        ("disease", "phenotype", "population_coverage", "min_typical_age", "max_typical_age"),
    ),
    ("data_use", "Data use", ("access_rights", "data_use_permission", "data_use_modifier")),
    (
        "linked_data",
        "Linked clinical and phenotypic data",
        ("has_linked_clinical_data", "has_linked_phenotypic_data", "has_structured_data"),
    ),
    ("consent", "Consent and ethics", ("consent_status", "ethics_approval_status")),
    ("readiness", "1+MG readiness and barriers to sharing", ("readiness", "sharing_barrier")),
    (
        "access",
        "Access and contacts",
        ("data_access_committee", "hdab", "contact_point", "publisher", "distribution"),
    ),
)
MORE = ("more", "More about the dataset")


# -- vocabularies -------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """How to read one shipped vocabulary (the model's ``vocabulary:`` annotation names it)."""

    name: str
    title: str
    #: files under ``ontologies/vocabularies``
    files: tuple[str, ...]
    #: term IRIs start with one of these
    namespaces: tuple[str, ...]
    #: only terms under this one (``rdfs:subClassOf`` / ``skos:broader``, transitively)
    root: str | None = None
    #: too many terms to list: look them up by label (``search_terms``)
    searchable: bool = False
    #: labels from the Unicode CLDR ("language", "country"), for tables without labels
    cldr: str | None = None


_EU = "http://publications.europa.eu/resource/authority/"
_HDEU = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
_OBO = "http://purl.obolibrary.org/obo/"
_TABLES = "eu-authority-tables/"
_HEALTH = "healthdcat-ap-r8/"


def _eu(name: str, title: str, file: str, table: str, cldr: str | None = None) -> Vocabulary:
    return Vocabulary(name, title, (_TABLES + file,), (f"{_EU}{table}/",), cldr=cldr)


def _hdeu(name: str, title: str) -> Vocabulary:
    return Vocabulary(name, title, (f"{_HEALTH}{name}.en.ttl",), (f"{_HDEU}{name}/",))


#: The vocabularies a slot may name in its ``vocabulary`` annotation.
VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        _eu("access-right", "EU access rights", "access-right-skos.rdf", "access-right"),
        _eu("country", "EU countries", "countries-skos.en.nt.gz", "country", cldr="country"),
        _eu("language", "EU languages", "language.en.nt.gz", "language", cldr="language"),
        _eu("file-type", "EU file types", "file-type.rdf", "file-type"),
        _eu("frequency", "EU frequencies", "frequency.rdf", "frequency"),
        _eu("licence", "EU licences", "licences-skos.rdf", "licence"),
        _eu("data-theme", "EU data themes", "data-theme-skos.rdf", "data-theme"),
        _eu("dataset-type", "EU dataset types", "dataset-type.en.ttl", "dataset-type"),
        _eu(
            "distribution-status",
            "EU distribution status",
            "distribution-status-skos.rdf",
            "distribution-status",
        ),
        _eu(
            "planned-availability",
            "EU planned availability",
            "planned-availability.facts.ttl",
            "planned-availability",
        ),
        _hdeu("healthcategories", "EHDS health categories"),
        _hdeu("health-theme", "HealthDCAT-AP health themes"),
        _hdeu("health-activity", "HealthDCAT-AP health activities"),
        _hdeu("coding-system", "HealthDCAT-AP coding systems"),
        _hdeu("standard", "HealthDCAT-AP standards"),
        _hdeu("publisher-type", "HealthDCAT-AP publisher types"),
        Vocabulary(
            "duo-permission",
            "DUO data use permissions",
            ("duo/duo.owl",),
            (_OBO + "DUO_",),
            root=_OBO + "DUO_0000001",
        ),
        Vocabulary(
            "duo-modifier",
            "DUO data use modifiers",
            ("duo/duo.owl",),
            (_OBO + "DUO_",),
            root=_OBO + "DUO_0000017",
        ),
        Vocabulary(
            "hpo",
            "Human Phenotype Ontology",
            ("hpo/hpo-slice.ttl",),
            (_OBO + "HP_",),
            searchable=True,
        ),
        Vocabulary(
            "disease",
            "Diseases (Orphanet, MONDO)",
            ("ordo/ordo-slice.facts.ttl", "mondo/mondo-slice.facts.ttl"),
            ("http://www.orpha.net/ORDO/Orphanet_", _OBO + "MONDO_"),
            searchable=True,
        ),
    )
}

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_LABELS = (_SKOS + "prefLabel", _RDFS + "label")
_BROADER = (_RDFS + "subClassOf", _SKOS + "broader")
_DEPRECATED = (
    "http://www.w3.org/2002/07/owl#deprecated",
    "http://publications.europa.eu/ontology/authority/deprecated",
)
_RDF_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    (".nt.gz", ox.RdfFormat.N_TRIPLES),
    (".nt", ox.RdfFormat.N_TRIPLES),
    (".ttl", ox.RdfFormat.TURTLE),
    (".rdf", ox.RdfFormat.RDF_XML),
    (".owl", ox.RdfFormat.RDF_XML),
)


class UnknownVocabularyError(KeyError):
    """A slot names a vocabulary this module does not know (a model error)."""


def vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``name`` (:data:`VOCABULARIES`)."""
    try:
        return VOCABULARIES[name]
    except KeyError:
        raise UnknownVocabularyError(
            f"the model names vocabulary {name!r}, which gdcat.model.fields does not know "
            f"(known: {', '.join(sorted(VOCABULARIES))})"
        ) from None


def _read(path: Path) -> Iterable[ox.Quad]:
    fmt = next(f for suffix, f in _RDF_FORMATS if path.name.endswith(suffix))
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())


@cache
def choices(name: str) -> tuple[Choice, ...]:
    """Every current term of the vocabulary ``name``, sorted by label."""
    vocab = vocabulary(name)
    labels: dict[str, str] = {}
    preferred: set[str] = set()
    terms: set[str] = set()
    deprecated: set[str] = set()
    broader: dict[str, set[str]] = {}
    for file in vocab.files:
        for quad in _read(ontologies_dir() / "vocabularies" / file):
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(
                vocab.namespaces
            ):
                continue
            iri = subject.value
            terms.add(iri)
            if predicate in _LABELS and isinstance(obj, ox.Literal):
                if obj.language in (None, "", "en") and (
                    iri not in labels or (predicate == _LABELS[0] and iri not in preferred)
                ):
                    labels[iri] = obj.value
                    if predicate == _LABELS[0]:
                        preferred.add(iri)
            elif predicate in _DEPRECATED and isinstance(obj, ox.Literal):
                if obj.value.lower() == "true":
                    deprecated.add(iri)
            elif predicate in _BROADER and isinstance(obj, ox.NamedNode):
                broader.setdefault(iri, set()).add(obj.value)
    if vocab.root is not None:
        terms = {t for t in terms if t != vocab.root and _under(t, vocab.root, broader)}
    out: list[Choice] = []
    for iri in terms - deprecated:
        label = _cldr_label(vocab.cldr, iri) if vocab.cldr else labels.get(iri)
        if vocab.cldr and label is None:
            continue  # a language or country nobody names: not offered
        if label is None and vocab.cldr is None and iri not in labels and _has_labels(labels):
            continue  # an unlabelled entry of a labelled table (a scheme, a helper node)
        out.append(Choice(term_value(iri), label or _local_words(iri), iri))
    return tuple(sorted(out, key=lambda c: (_folded(c.label), c.value)))


def _has_labels(labels: dict[str, str]) -> bool:
    return bool(labels)


def _under(term: str, root: str, broader: dict[str, set[str]]) -> bool:
    seen: set[str] = set()
    todo = list(broader.get(term, ()))
    while todo:
        current = todo.pop()
        if current == root:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(broader.get(current, ()))
    return False


@cache
def _locale() -> Locale:
    return Locale.parse("en")


def _cldr_label(kind: str | None, iri: str) -> str | None:
    code = iri.rstrip("/").rsplit("/", 1)[-1]
    if kind == "language":
        lower = code.lower()
        alias = get_global("language_aliases").get(lower, lower)
        if len(alias) != 2:  # the languages with an ISO 639-1 code: the ones people write in
            return None
        name: str | None = _locale().languages.get(alias)
        return name
    if kind == "country":
        aliases = get_global("territory_aliases").get(code.upper(), [code.upper()])
        alias = aliases[0] if isinstance(aliases, list) and aliases else code.upper()
        found: str | None = _locale().territories.get(alias)
        return found
    return None


def _local_words(iri: str) -> str:
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    if local.isupper() and "_" in local:
        return local.replace("_", " ").capitalize()
    return local


def term_value(iri: str) -> str:
    """How steward YAML writes the term ``iri``: a CURIE with a model prefix, else the IRI."""
    best_prefix, best_namespace = "", ""
    for prefix, namespace in schema.prefixes().items():
        if iri.startswith(namespace) and len(namespace) > len(best_namespace):
            best_prefix, best_namespace = prefix, namespace
    local = iri[len(best_namespace) :]
    if best_namespace and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", local):
        return f"{best_prefix}:{local}"
    return iri


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_WORD = re.compile(r"\w+")


def search_terms(name: str, text: str, limit: int = 25) -> list[Choice]:
    """The terms of vocabulary ``name`` whose label holds every word of ``text`` (case and
    accents ignored), or whose code is ``text``: exact codes first, then labels starting with
    the text, then labels with a word starting with its first word, then the rest."""
    wanted = _folded(text).strip()
    words = _WORD.findall(wanted)
    if not words:
        return []
    exact = resolve_term(name, text)
    ranked: list[tuple[int, str, Choice]] = []
    for choice in choices(name):
        label = _folded(choice.label)
        if exact is not None and choice.iri == exact.iri:
            ranked.append((0, label, choice))
        elif all(w in label for w in words):
            starts = label.startswith(wanted)
            word_start = any(p.startswith(words[0]) for p in _WORD.findall(label))
            ranked.append((1 if starts else 2 if word_start else 3, label, choice))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].value))
    return [choice for _, _, choice in ranked[:limit]]


def resolve_term(name: str, text: str) -> Choice | None:
    """The term of vocabulary ``name`` that ``text`` names: its value (``HP:0001250``), IRI,
    its code without the prefix when that code has a letter and only one term has it
    (``ESP`` for ``country:ESP``, in any case), or exact label (case and accents ignored;
    where two ontologies of the vocabulary name a term alike, the first one's); None when no
    term or several terms match."""
    wanted = text.strip()
    if not wanted:
        return None
    index = _term_index(name)
    found = index.get(wanted) or index.get(_expand(wanted))
    if found is not None:
        return found
    if ":" not in wanted and any(c.isalpha() for c in wanted):
        local = _local_index(name).get(wanted.casefold(), ())
        if len(local) == 1:
            return local[0]
    folded = _folded(wanted)
    namespaces = vocabulary(name).namespaces
    by_namespace: dict[int, list[Choice]] = {}
    for choice in choices(name):
        if _folded(choice.label) == folded:
            rank = next(i for i, ns in enumerate(namespaces) if choice.iri.startswith(ns))
            by_namespace.setdefault(rank, []).append(choice)
    # the same name in two ontologies (ORDO and MONDO): the vocabulary's first one
    first = by_namespace[min(by_namespace)] if by_namespace else []
    return first[0] if len(first) == 1 else None


@cache
def _term_index(name: str) -> dict[str, Choice]:
    index: dict[str, Choice] = {}
    for choice in choices(name):
        index[choice.value] = choice
        index[choice.iri] = choice
    return index


@cache
def _local_index(name: str) -> dict[str, tuple[Choice, ...]]:
    """The terms of vocabulary ``name`` by their code without its prefix, case folded."""
    index: dict[str, tuple[Choice, ...]] = {}
    for choice in choices(name):
        _, sep, local = choice.value.partition(":")
        if sep and local:
            key = local.casefold()
            index[key] = (*index.get(key, ()), choice)
    return index


def _expand(text: str) -> str:
    prefix, sep, local = text.partition(":")
    namespace = schema.prefixes().get(prefix) if sep else None
    return namespace + local if namespace and not local.startswith("//") else text


# -- fields -------------------------------------------------------------------------------


def _annotation(element: object, key: str) -> str | None:
    annotations = getattr(element, "annotations", None) or {}
    # a dict on schema elements, a JsonObj on induced slots
    ann = annotations.get(key) if isinstance(annotations, dict) else getattr(annotations, key, None)
    if ann is None:
        return None
    return str(getattr(ann, "value", ann))


def _label(name: str, title: str | None) -> str:
    if title:
        return str(title)
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _kind(info: schema.SlotInfo, vocab: str | None) -> Kind:
    if info.kind == "enum" or vocab is not None:
        return Kind.TERM
    if info.kind == "lang_string":
        return Kind.MULTILINGUAL
    if info.kind == "iri":
        return Kind.IRI
    if info.kind == "object":
        assert info.range_class is not None
        target = schema.classes()[info.range_class]
        if info.reference_only or target.typed_reference or target.vocabulary_term:
            return Kind.IRI
        return Kind.OBJECT
    types = set(info.datatypes)
    if any(t.endswith(("#date", "#dateTime")) for t in types):
        return Kind.DATE
    if any(t.endswith("#boolean") for t in types):
        return Kind.BOOLEAN
    if any(t.endswith(("nteger", "#decimal", "#double", "#float")) for t in types):
        return Kind.NUMBER
    return Kind.TEXT


def _enum_choices(enum_name: str) -> tuple[Choice, ...]:
    sv = schema.schema_view()
    enum = sv.get_enum(enum_name)
    iris = schema.enum_values()[enum_name]
    return tuple(
        Choice(str(code), str(pv.title or code), iris.get(code, code))
        for code, pv in enum.permissible_values.items()
    )


def _id_field(class_name: str) -> Field:
    sv = schema.schema_view()
    slot = sv.get_slot("id")
    kind = "dataset series" if class_name == "DatasetSeries" else "dataset"
    return Field(
        name="id",
        path="id",
        label=_label("id", slot.title) if slot.title else f"IRI of the {kind}",
        help=f"The IRI that identifies the {kind}, as your node mints it (https://…).",
        kind=Kind.IRI,
        multivalued=False,
        required=True,
    )


def _class_fields(class_name: str, prefix: str, path: tuple[str, ...]) -> list[Field]:
    sv = schema.schema_view()
    infos = schema.class_slot_info(class_name)
    out: list[Field] = []
    for induced in sv.class_induced_slots(class_name):
        if induced.identifier or induced.name not in infos:
            continue
        info = infos[induced.name]
        vocab = _annotation(induced, VOCABULARY_ANNOTATION)
        kind = _kind(info, vocab)
        name = str(induced.name)  # a plain str, not LinkML's subclass (YAML dumpers want str)
        dotted = prefix + name
        item = Field(
            name=name,
            path=dotted,
            label=_label(induced.name, induced.title),
            help=" ".join(str(induced.description or "").split()),
            kind=kind,
            multivalued=info.multivalued,
            required=bool(induced.required),
            recommended=bool(induced.recommended),
            datatypes=info.datatypes,
        )
        if kind is Kind.TERM:
            if vocab is not None:
                source = vocabulary(vocab)
                item = replace(
                    item,
                    vocabulary=vocab,
                    searchable=source.searchable,
                    choices=() if source.searchable else choices(vocab),
                )
            else:
                assert info.range_enum is not None
                enum = info.range_enum
                item = replace(item, vocabulary=enum, choices=_enum_choices(enum))
        elif kind is Kind.OBJECT:
            assert info.range_class is not None
            item = replace(item, class_name=info.range_class)
            if len(path) < MAX_DEPTH and info.range_class not in path:
                nested = _class_fields(info.range_class, dotted + ".", (*path, info.range_class))
                item = replace(item, fields=tuple(nested))
            # else too deep, or a class described further up: an object whose own fields are
            # not listed (a tool carries its values whole)
        out.append(item)
    return out


@cache
def sections(class_name: str = "Dataset", lang: str = "en") -> tuple[Section, ...]:
    """The fields of ``class_name`` grouped in sections (see the module's docstring), their
    labels and help texts in ``lang`` where the catalogues translate them."""
    if lang != translations.SOURCE_LANGUAGE:
        return tuple(
            replace(section, fields=tuple(_translated(f, lang) for f in section.fields))
            for section in sections(class_name)
        )
    if class_name not in schema.classes():
        raise KeyError(f"no class {class_name!r} in the model")
    by_name = {f.name: f for f in _class_fields(class_name, "", (class_name,))}
    if schema.classes()[class_name].has_identifier or class_name in ("Dataset", "DatasetSeries"):
        by_name = {"id": _id_field(class_name), **by_name}
    placed: set[str] = set()
    out: list[Section] = []
    for section_id, title, names in SECTIONS:
        held = tuple(by_name[n] for n in names if n in by_name and n not in placed)
        placed.update(f.name for f in held)
        if held:
            out.append(Section(section_id, title, held))
    rest = tuple(f for name, f in by_name.items() if name not in placed)
    if rest:
        out.append(Section(MORE[0], MORE[1], rest))
    return tuple(out)


def _translated(item: Field, lang: str) -> Field:
    label, label_lang = translations.translated(item.label, lang)
    help_text, help_lang = translations.translated(item.help, lang)
    return replace(
        item,
        label=label,
        help=help_text,
        label_lang=label_lang,
        help_lang=help_lang if help_text else lang,
        fields=tuple(_translated(f, lang) for f in item.fields),
    )


@cache
def fields(class_name: str = "Dataset", lang: str = "en") -> tuple[Field, ...]:
    """The fields of ``class_name``, in order (sections, then the rest), in ``lang``."""
    return tuple(f for section in sections(class_name, lang) for f in section.fields)


#: The classes whose fields stewards describe (their nested classes' fields included).
STEWARD_CLASSES = ("Dataset", "DatasetSeries")


def _walk(items: Sequence[Field]) -> Iterable[Field]:
    for item in items:
        yield item
        yield from _walk(item.fields)


def catalogue_texts() -> list[str]:
    """Every English label and help text of the steward classes' fields, once each, in the
    order met (what the translation catalogues hold)."""
    texts: dict[str, None] = {}
    for class_name in STEWARD_CLASSES:
        for item in _walk(fields(class_name)):
            texts.setdefault(item.label, None)
            if item.help:
                texts.setdefault(item.help, None)
    return list(texts)


@cache
def _labels_by_name(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for class_name in STEWARD_CLASSES:
        for item in _walk(fields(class_name, lang)):
            out.setdefault(item.name, item.label)
    return out


def slot_label(name: str, lang: str = "en") -> str:
    """The label of the slot ``name`` in ``lang``: a steward field's of that name (at any
    depth), else the slot's title or its name in words, translated where the catalogue can."""
    found = _labels_by_name(lang).get(name)
    if found is not None:
        return found
    slot = schema.schema_view().get_slot(name)
    title = getattr(slot, "title", None) if slot is not None else None
    return translations.translate(_label(name, title), lang)


def path_label(path: str, lang: str = "en", class_name: str = "Dataset") -> str:
    """A dotted steward path in words of ``lang``: ``distribution.access_url`` ->
    ``Distribution › Access url``; a part the class does not have is named by
    :func:`slot_label`."""
    words: list[str] = []
    current: Sequence[Field] = fields(class_name, lang)
    for part in path.split("."):
        found = next((f for f in current if f.name == part), None)
        if found is None:
            words.append(slot_label(part, lang))
            current = ()
        else:
            words.append(found.label)
            current = found.fields
    return " › ".join(words)


def flatten(items: Sequence[Field]) -> list[Field]:
    """Every leaf field of ``items``, depth first (objects replaced by their fields)."""
    out: list[Field] = []
    for item in items:
        if item.kind is Kind.OBJECT:
            out.extend(flatten(item.fields))
        else:
            out.append(item)
    return out


def field_at(path: str, class_name: str = "Dataset", lang: str = "en") -> Field | None:
    """The field at the dotted ``path`` (``publisher.agent_contact_point.email``), in ``lang``."""
    current: Sequence[Field] = fields(class_name, lang)
    found: Field | None = None
    for part in path.split("."):
        found = next((f for f in current if f.name == part), None)
        if found is None:
            return None
        current = found.fields
    return found


def reset() -> None:
    """Forget what was read, here and in :mod:`gdcat.model.schema` (after the model or the
    vocabularies changed: a test pointing ``GDCAT_HOME`` at a copy of the model)."""
    from gdcat.validate import guide  # the value hints of validation reports read the model

    for cached in (
        guide._guide,
        sections,
        fields,
        _labels_by_name,
        choices,
        _term_index,
        schema.schema_view,
        schema.slots,
        schema.classes,
        schema.class_slot_info,
        schema.enum_values,
        schema.prefixes,
        schema.class_uris,
        schema.datatype_ranges,
        schema._predicate_index,
    ):
        cached.cache_clear()
    translations.reset()


__all__ = [
    "MAX_DEPTH",
    "SECTIONS",
    "STEWARD_CLASSES",
    "VOCABULARIES",
    "Choice",
    "Field",
    "Kind",
    "Section",
    "UnknownVocabularyError",
    "Vocabulary",
    "catalogue_texts",
    "choices",
    "field_at",
    "fields",
    "flatten",
    "path_label",
    "reset",
    "resolve_term",
    "search_terms",
    "sections",
    "slot_label",
    "term_value",
    "vocabulary",
]
