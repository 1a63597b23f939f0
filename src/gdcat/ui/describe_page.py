"""The page "Describe a dataset": ``/describe``, the 1+MG survey as a form.

The form is generated from :mod:`gdcat.model.fields` — the LinkML model's slots of a dataset,
in its sections, with their labels, help texts, cardinalities and allowed values (the model's
enums and the shipped vocabularies) — so a slot added to the model reaches the form without a
template change. A field is rendered by its kind: multilingual text as rows of language and
text, a term of a short list as a list box or check boxes, a term of a long list (languages,
countries, file types) as a text box with the list's suggestions (code or label accepted), a
phenotype or disease (HPO, ORDO, MONDO) as a search by label (``/describe/terms``, with htmx;
without JavaScript the text box takes codes or labels and the page offers the matches as check
boxes), nested descriptions (a distribution, the data access committee and its contact) as
fieldsets.

One way from the form to a record: :func:`document_of` turns the posted form into a steward
YAML document, which :func:`gdcat.model.steward.load_steward_yaml` reads and the chosen
profile's :class:`~gdcat.validate.runner.Validator` checks — the same reading and validation
``gdcat validate`` and the publishing API use. The page shows each message next to its field
(violations, which block publishing, then warnings), the YAML and the Turtle it would publish,
and offers both as downloads. ``POST /describe/check`` answers the same check as out-of-band
fragments (every field's messages and the preview) for htmx, as the steward types.

Publishing: a signed-in steward's form posts to ``POST /steward/publish``, which reads it with
:func:`~gdcat.ui.steward_session.checked_form` (cross-site request forgery) and publishes the
YAML through the application's ``Publisher.put`` — node scope, validation on write and the
audit trail are the publishing API's. ``/describe?record=<dataset IRI>`` fills the form from
the stored record (:func:`~gdcat.model.steward.dump_steward_yaml`).

The draft: without JavaScript, the draft is the posted form, re-rendered, and its YAML
download (which the form reads back: ``POST /describe`` with a ``yaml`` file). With
JavaScript, ``describe.js`` also keeps the form in the browser's ``localStorage`` and offers
to restore it on the next visit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from functools import lru_cache
from typing import Any, Protocol

import yaml
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph
from starlette.datastructures import FormData, UploadFile

from gdcat.errors import GdcatError, InputError
from gdcat.model import fields as model_fields
from gdcat.model.fields import Choice, Field, Kind
from gdcat.model.steward import dump_steward_yaml, load_steward_yaml
from gdcat.publish.session import StewardSession
from gdcat.publish.writer import RecordRefusedError, outcome_of
from gdcat.settings import Settings
from gdcat.store import Store
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.labels import term_label
from gdcat.ui.pages import offer_page, reader_of, render, with_code
from gdcat.ui.search_page import Context
from gdcat.ui.steward_session import checked_form, csrf_field, steward_of
from gdcat.validate.profiles import PROFILE_NAMES, get_profile
from gdcat.validate.report import ValidationReport, ValidationResult
from gdcat.validate.runner import Validator
from gdcat.vocab import PREFIXES

#: A term list longer than this is a text box with suggestions rather than a list box.
LONG_LIST = 30
#: Nested descriptions deeper than this are left to the YAML (the form stays readable).
FORM_DEPTH = 2
#: The hidden field (after the field's name) carrying a description deeper than the form.
KEPT = ".__kept"
#: Most matches the phenotype and disease search offers.
MAX_MATCHES = 15
#: The IRI a record without one is checked under (a record needs an IRI to be read).
DRAFT_IRI = "https://gdcat.invalid/draft-dataset"
#: Most bytes of a posted form or YAML draft.
MAX_FORM_BYTES = 1_000_000
#: Most fields of a posted form (the blank form has a few hundred: a field per answer, and
#: rows of languages, distributions and nested descriptions added).
MAX_FORM_FIELDS = 5_000
#: Most check results remembered (the same form checked twice is answered at once).
_CACHE_SIZE = 256

#: The sections' titles and introductions, translated (titles of sections the model adds
#: later fall back to the English title from gdcat.model.fields).
SECTION_WORDS: dict[str, tuple[str, str]] = {
    "identification": (
        N_("Identification and description"),
        N_(
            "The dataset's IRI, its title and description (in as many languages as you "
            "can), keywords, themes, languages and countries."
        ),
    ),
    "genomic": (
        N_("Genomic data"),
        N_(
            "How the data was produced and how much there is: sequencing type, reference "
            "genome, individuals, genomes and exomes, platform and file formats."
        ),
    ),
    "phenotypes": (
        N_("Phenotypes and diseases"),
        N_("Pick phenotypes (HPO) and diseases (Orphanet, MONDO) by name or code."),
    ),
    "data_use": (
        N_("Data use"),
        N_(
            "The access rights and the GA4GH DUO conditions: one permission, and the "
            "modifiers that add conditions."
        ),
    ),
    "linked_data": (
        N_("Linked clinical and phenotypic data"),
        N_("Whether the genomes can be linked to clinical or phenotypic data of the same people."),
    ),
    "consent": (
        N_("Consent and ethics"),
        N_("What the participants consented to, and whether sharing has ethics approval."),
    ),
    "readiness": (
        N_("1+MG readiness and barriers to sharing"),
        N_(
            "Whether the dataset can be shared in the 1+MG infrastructure now; if not, what "
            "stands in the way. A dataset that cannot be shared yet is described all the same."
        ),
    ),
    "access": (
        N_("Access and contacts"),
        N_(
            "Who decides on access requests and how to reach them; where and how the data "
            "can be obtained, once it can."
        ),
    ),
    "more": (
        N_("More about the dataset"),
        N_("Further fields of the model (DCAT-AP and HealthDCAT-AP): fill in what applies."),
    ),
}
SEVERITY_WORDS = {
    "violation": N_("Must be fixed"),
    "warning": N_("Recommended"),
    "note": N_("Note"),
}
UNKNOWN_TERM = N_("“%(text)s” is not a term gdcat knows here: pick one of the suggestions.")
NO_IRI = N_("Give the dataset's IRI (https://…): the address your node gives it.")
NOT_A_NUMBER = N_("“%(text)s” is not a number.")

_LINES = re.compile(r"[\r\n]+")
_LIST_SEPARATORS = re.compile(r"[\r\n;]+|,(?!\d)")
_INDEX = re.compile(r"^(\d{1,3})\.")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


class _Context(Protocol):
    settings: Settings
    store: Store
    extras: dict[str, Any]


# -- messages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message next to a field: ``severity`` is violation, warning or note; texts from the
    validator are English (``lang``), the page's own are in the reader's language."""

    severity: str
    text: str
    hint: str = ""
    lang: str | None = None


def _message_of(result: ValidationResult) -> Message:
    """The validator's words for a field, its `field` marks shown as code."""
    severity = "violation" if result.severity == "Violation" else "warning"
    return Message(severity, with_code(result.message), with_code(result.hint), "en")


# -- reading the form ---------------------------------------------------------------------


@dataclass
class Reading:
    """A posted form read into a steward YAML document, with the page's own notes per field
    (a term it could not find)."""

    document: dict[str, Any]
    notes: dict[str, list[Message]] = default(default_factory=dict)
    #: what was typed in a phenotype or disease search and names no term, by field name
    typed: dict[str, list[str]] = default(default_factory=dict)

    def note(self, path: str, message: Message) -> None:
        self.notes.setdefault(path, []).append(message)


def document_of(form: FormData | Mapping[str, Any], reader: Reader) -> Reading:
    """The steward YAML document (a mapping) the posted ``form`` stands for."""
    reading = Reading({})
    reading.document = _read_group(model_fields.fields(), _Form(form), "", 0, reading, reader)
    return reading


class _Form:
    """The posted fields: every value of a name, in order."""

    def __init__(self, form: FormData | Mapping[str, Any]) -> None:
        self.values: dict[str, list[str]] = {}
        items: Iterable[tuple[str, Any]] = (
            form.multi_items() if isinstance(form, FormData) else form.items()
        )
        for key, value in items:
            if isinstance(value, list):
                self.values.setdefault(key, []).extend(str(v) for v in value)
            elif isinstance(value, str):
                self.values.setdefault(key, []).append(value)

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def one(self, name: str) -> str:
        return next((v.strip() for v in self.all(name) if v.strip()), "")

    def indices(self, prefix: str) -> list[int]:
        found: set[int] = set()
        for key in self.values:
            if key.startswith(prefix):
                match = _INDEX.match(key[len(prefix) :])
                if match:
                    found.add(int(match.group(1)))
        return sorted(found)


def _read_group(
    items: Sequence[Field], form: _Form, prefix: str, depth: int, reading: Reading, reader: Reader
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.kind is Kind.OBJECT and (depth >= FORM_DEPTH or not item.fields):
            kept = _kept(form.one(prefix + item.name + KEPT))
            if kept is not None:
                out[item.name] = kept
            continue
        value = _read_field(item, form, prefix + item.name, depth, reading, reader)
        if value not in (None, "", [], {}):
            out[item.name] = value
    return out


def _read_field(
    item: Field, form: _Form, name: str, depth: int, reading: Reading, reader: Reader
) -> Any:
    kind = item.kind
    if kind is Kind.OBJECT:
        if item.multivalued:
            groups = [
                _read_group(item.fields, form, f"{name}.{i}.", depth + 1, reading, reader)
                for i in form.indices(name + ".")
            ]
            return [g for g in groups if g]
        return _read_group(item.fields, form, name + ".", depth + 1, reading, reader)
    if kind is Kind.MULTILINGUAL:
        texts: dict[str, list[str]] = {}
        for lang, text in zip(form.all(name + ".lang"), form.all(name + ".text"), strict=False):
            if text.strip():
                texts.setdefault(lang.strip() or "en", []).append(text.strip())
        return {lang: t[0] if len(t) == 1 else t for lang, t in texts.items()}
    if kind is Kind.TERM:
        raw = [v.strip() for v in form.all(name) if v.strip()]
        terms = list(dict.fromkeys(_term(item, text, name, reading, reader) for text in raw))
        if item.searchable:
            _searched(item, form.one(name + ".q"), name, terms, reading, reader)
        return terms if item.multivalued else (terms[0] if terms else None)
    if kind is Kind.BOOLEAN:
        value = form.one(name)
        return {"true": True, "false": False}.get(value)
    if item.multivalued:
        lines = [line.strip() for v in form.all(name) for line in _LINES.split(v) if line.strip()]
        return [_scalar(item, line, name, reading, reader) for line in dict.fromkeys(lines)]
    value = form.one(name)
    return _scalar(item, value, name, reading, reader) if value else None


def _term(item: Field, text: str, path: str, reading: Reading, reader: Reader) -> str:
    """The steward value of a term typed or picked: a code of the list, or a code, IRI or
    exact label of the vocabulary; anything else as typed (validation names it)."""
    if any(c.value == text for c in item.choices):
        return text
    if item.vocabulary in model_fields.VOCABULARIES:
        found = model_fields.resolve_term(item.vocabulary, text)
        if found is not None:
            return found.value
    else:
        for choice in item.choices:  # an enum: its code in any case, or its title
            if text.casefold() in (choice.value.casefold(), choice.label.casefold()):
                return choice.value
    reading.note(
        path, Message("note", reader.gettext(UNKNOWN_TERM) % {"text": text}, lang=reader.lang)
    )
    return text


def _searched(
    item: Field, query: str, name: str, terms: list[str], reading: Reading, reader: Reader
) -> None:
    """The text of a phenotype or disease search box: each code or exact name in it is added
    to the field's terms; the rest is a search in progress, kept to be shown again with its
    matches, and said so by the field unless one of its matches is already ticked."""
    assert item.vocabulary is not None
    for text in (t.strip() for t in _LIST_SEPARATORS.split(query)):
        if not text:
            continue
        found = model_fields.resolve_term(item.vocabulary, text)
        if found is not None:
            if found.value not in terms:
                terms.append(found.value)
            continue
        reading.typed.setdefault(name, []).append(text)
        matches = {c.value for c in model_fields.search_terms(item.vocabulary, text, MAX_MATCHES)}
        if not matches & set(terms):
            message = reader.gettext(UNKNOWN_TERM) % {"text": text}
            reading.note(name, Message("note", message, lang=reader.lang))


def _kept(text: str) -> Any:
    """A nested description the form carries unchanged (JSON in a hidden field), or None."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) and value else None


def _scalar(item: Field, text: str, path: str, reading: Reading, reader: Reader) -> Any:
    if item.kind is Kind.NUMBER:
        compact = text.replace(" ", "").replace("\u202f", "").replace("_", "")
        if item.integer and _INTEGER.match(compact):
            return int(compact)
        if not item.integer and _DECIMAL.match(compact):
            return float(compact)
        reading.note(
            path, Message("note", reader.gettext(NOT_A_NUMBER) % {"text": text}, lang=reader.lang)
        )
    return text


def yaml_text(document: Mapping[str, Any]) -> str:
    """The steward YAML of ``document`` (``id`` first)."""
    if not document:
        return ""
    ordered = {"id": document["id"]} if "id" in document else {}
    ordered.update((k, v) for k, v in document.items() if k != "id")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, where it is built
    text: str = yaml.dump(ordered, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def document_from_yaml(text: str) -> dict[str, Any]:
    """The mapping of a steward YAML document of one dataset (a draft read back, a stored
    record dumped); :class:`InputError` when it is not one."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InputError(f"the draft is not valid YAML: {e}") from e
    if isinstance(loaded, list) and len(loaded) == 1:
        loaded = loaded[0]
    if not isinstance(loaded, dict):
        raise InputError("the draft must describe one dataset (a mapping of fields)")
    plain: dict[str, Any] = _plain(loaded)
    return plain


def _plain(value: Any) -> Any:
    """YAML values as the form shows them (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


# -- the widgets the template renders -----------------------------------------------------


@dataclass
class Widget:
    """One field as the form shows it, with its current values and messages."""

    field: Field
    name: str
    id: str
    label: str
    help: str
    control: str
    value: str = ""
    values: list[str] = default(default_factory=list)
    rows: list[tuple[str, str]] = default(default_factory=list)
    options: list[tuple[str, str, str | None, bool]] = default(default_factory=list)
    groups: list[list[Widget]] = default(default_factory=list)
    group_names: list[str] = default(default_factory=list)
    query: str = ""
    messages: list[Message] = default(default_factory=list)
    depth: int = 0

    @property
    def described_by(self) -> str:
        """The ids of the help text and the messages (``aria-describedby``)."""
        return f"{self.id}-help {self.id}-msg" if self.help else f"{self.id}-msg"

    @property
    def violations(self) -> bool:
        return any(m.severity == "violation" for m in self.messages)


_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")
_ROW_INDEX = re.compile(r"\.\d+(?=\.|$)")


def _html_id(name: str) -> str:
    return "f-" + _NOT_ID.sub("-", name)


def _option_label(choice: Choice, vocabulary: str | None, lang: str) -> tuple[str, str | None]:
    """A choice's label for the reader (the vocabulary's label in ``lang`` where it has one)."""
    if vocabulary in model_fields.VOCABULARIES:
        label = term_label(choice.iri, lang, choice.label)
        if label is not None:
            return label.text, label.lang
    return choice.label, "en"


@lru_cache(maxsize=512)
def _labelled(
    vocabulary: str | None, choices: tuple[Choice, ...], lang: str
) -> tuple[tuple[str, str, str | None], ...]:
    """A field's choices with their labels for a reader of ``lang``, once per list."""
    return tuple((c.value, *_option_label(c, vocabulary, lang)) for c in choices)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _widget(item: Field, value: Any, name: str, depth: int, lang: str) -> Widget | None:
    base = Widget(
        field=item,
        name=name,
        id=_html_id(name),
        label=item.label,
        help=item.help,
        control="text",
        depth=depth,
    )
    kind = item.kind
    if kind is Kind.OBJECT:
        if depth >= FORM_DEPTH or not item.fields:
            if value in (None, [], {}):
                return None
            # deeper than the form goes (a stored record's): carried through unchanged
            base.control = "kept"
            base.value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            return base
        base.control = "object"
        if item.multivalued:
            present = [v for v in _as_list(value) if isinstance(v, dict)]
            for i, group in enumerate([*present, {}]):
                prefix = f"{name}.{i}."
                base.groups.append(_widgets(item.fields, group, prefix, depth + 1, lang))
                base.group_names.append(f"{name}.{i}")
        else:
            group = value if isinstance(value, dict) else {}
            base.groups.append(_widgets(item.fields, group, name + ".", depth + 1, lang))
            base.group_names.append(name)
        return base
    if kind is Kind.MULTILINGUAL:
        base.control = "multilingual"
        rows: list[tuple[str, str]] = []
        if isinstance(value, dict):
            for tag, texts in value.items():
                rows.extend((str(tag), str(t)) for t in _as_list(texts))
        elif value is not None:
            rows.extend(("en", str(t)) for t in _as_list(value))
        rows.append(("" if rows else lang, ""))
        base.rows = rows
        return base
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(value)]
    if kind is Kind.TERM:
        if item.searchable:
            base.control = "search"
            chosen: list[tuple[str, str, str | None, bool]] = []
            typed: list[str] = []
            assert item.vocabulary is not None
            for v in values:
                found = model_fields.resolve_term(item.vocabulary, v)
                if found is None:
                    typed.append(v)
                else:
                    text, tag = _option_label(found, item.vocabulary, lang)
                    chosen.append((found.value, text, tag, True))
            offered = {c[0] for c in chosen}
            for text in typed:  # what was typed and not found: the closest terms, to tick
                for match in model_fields.search_terms(item.vocabulary, text, MAX_MATCHES):
                    if match.value not in offered:
                        label, tag = _option_label(match, item.vocabulary, lang)
                        chosen.append((match.value, label, tag, False))
                        offered.add(match.value)
            base.options = chosen
            base.query = ", ".join(typed)
            return base
        if len(item.choices) > LONG_LIST:  # a text box with the page's shared suggestions
            base.control = "suggest"
            base.values = [*values, ""] if item.multivalued else values[:1] or [""]
        else:
            base.control = "checkboxes" if item.multivalued else "select"
            chosen_values = set(values)
            base.options = [
                (value, label, tag, value in chosen_values)
                for value, label, tag in _labelled(item.vocabulary, item.choices, lang)
            ]
        return base
    if kind is Kind.BOOLEAN:
        base.control = "boolean"
        base.value = values[0] if values else ""
        return base
    if item.multivalued:
        base.control = "lines"
        base.value = "\n".join(values)
        return base
    base.control = {Kind.NUMBER: "number", Kind.DATE: "date", Kind.IRI: "iri"}.get(kind, "text")
    base.value = values[0] if values else ""
    return base


def _widgets(
    items: Sequence[Field], values: Mapping[str, Any], prefix: str, depth: int, lang: str
) -> list[Widget]:
    out = []
    for item in items:
        widget = _widget(item, values.get(item.name), prefix + item.name, depth, lang)
        if widget is not None:
            out.append(widget)
    return out


def _walk(widgets: Iterable[Widget]) -> Iterable[Widget]:
    for widget in widgets:
        yield widget
        for group in widget.groups:
            yield from _walk(group)


@dataclass
class SectionView:
    id: str
    title: str
    intro: str
    widgets: list[Widget]
    violations: int = 0
    warnings: int = 0


def _sections(document: Mapping[str, Any], reader: Reader) -> list[SectionView]:
    out = []
    for section in model_fields.sections(lang=reader.lang):
        title, intro = SECTION_WORDS.get(section.id, (section.title, ""))
        out.append(
            SectionView(
                section.id,
                reader.gettext(title),
                reader.gettext(intro) if intro else "",
                _widgets(section.fields, document, "", 0, reader.lang),
            )
        )
    return out


def _show_typed(sections: list[SectionView], typed: Mapping[str, list[str]], lang: str) -> None:
    """Put what was typed in each phenotype or disease search back in its box, with the
    matching terms offered to tick (the search without JavaScript)."""
    if not typed:
        return
    for section in sections:
        for widget in _walk(section.widgets):
            texts = typed.get(widget.name)
            if widget.control != "search" or not texts:
                continue
            vocabulary = widget.field.vocabulary
            assert vocabulary is not None
            offered = {o[0] for o in widget.options}
            for text in texts:
                for match in model_fields.search_terms(vocabulary, text, MAX_MATCHES):
                    if match.value not in offered:
                        label, tag = _option_label(match, vocabulary, lang)
                        widget.options.append((match.value, label, tag, False))
                        offered.add(match.value)
            widget.query = ", ".join(filter(None, [widget.query, *texts]))


def _attach(
    sections: list[SectionView], messages: Mapping[str, list[Message]]
) -> list[tuple[str, Message]]:
    """Put each field's messages on its widget: a path inside a list of descriptions (each
    ``distribution``'s ``access_url``) on that list's fieldset. Returns the messages no field
    of the form shows."""
    by_path: dict[str, Widget] = {}
    for section in sections:
        for widget in _walk(section.widgets):
            path = _ROW_INDEX.sub("", widget.name)
            by_path.setdefault(path, widget)
    left: list[tuple[str, Message]] = []
    for path, found in messages.items():
        target = None
        parts = path.split(".") if path else []
        while parts and target is None:
            candidate = by_path.get(".".join(parts))
            if candidate is not None and (
                ".".join(parts) == path or candidate.field.multivalued or not candidate.groups
            ):
                target = candidate
            parts.pop()
        for message in found:
            if target is None:
                left.append((path, message))
            elif target.name != path and "." in path:
                target.messages.append(
                    Message(message.severity, f"{path}: {message.text}", message.hint, message.lang)
                )
            else:
                target.messages.append(message)
    for section in sections:
        for widget in _walk(section.widgets):
            widget.messages.sort(key=lambda m: ("violation", "note", "warning").index(m.severity))
            section.violations += sum(m.severity == "violation" for m in widget.messages)
            section.warnings += sum(m.severity == "warning" for m in widget.messages)
    return left


# -- checking -----------------------------------------------------------------------------


@dataclass
class Check:
    """What the form checked: the YAML, the Turtle, the messages by field path."""

    yaml: str
    turtle: str
    messages: dict[str, list[Message]]
    profile: str
    conforms: bool
    violations: int
    warnings: int
    #: a problem reading the document at all (YAML structure), shown above the form
    problem: str | None = None
    graph: Graph | None = None


class Checker:
    """Validates form documents with one validator per profile, remembering recent answers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._validators: dict[str, Validator] = {}
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Check] = {}

    def validator(self, profile: str) -> Validator:
        with self._lock:
            found = self._validators.get(profile)
            if found is None:
                found = Validator(profile, settings=self.settings, workers=1)
                self._validators[profile] = found
            return found

    def check(self, reading: Reading, profile: str, reader: Reader) -> Check:
        document = reading.document
        text = yaml_text(document)
        key = (profile, text)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = self._check(document, text, profile)
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = cached
        messages = {path: list(found) for path, found in cached.messages.items()}
        if "id" not in document:
            messages.setdefault("id", []).insert(
                0, Message("violation", reader.gettext(NO_IRI), lang=reader.lang)
            )
        for path, notes in reading.notes.items():
            messages.setdefault(path, []).extend(notes)
        violations = sum(m.severity == "violation" for ms in messages.values() for m in ms)
        return Check(
            yaml=cached.yaml,
            turtle=cached.turtle,
            messages=messages,
            profile=profile,
            conforms=violations == 0 and cached.problem is None,
            violations=violations,
            warnings=sum(m.severity == "warning" for ms in messages.values() for m in ms),
            problem=cached.problem,
            graph=cached.graph,
        )

    def _check(self, document: Mapping[str, Any], text: str, profile: str) -> Check:
        checked = dict(document) if "id" in document else {"id": DRAFT_IRI, **document}
        try:
            graph = load_steward_yaml(yaml_text(checked), "the form")
        except GdcatError as e:
            return Check(text, "", {}, profile, False, 0, 0, problem=e.public_message)
        report: ValidationReport = self.validator(profile).validate(graph)
        messages: dict[str, list[Message]] = {}
        for result in sorted(report.results, key=lambda r: r.severity != "Violation"):
            messages.setdefault(result.path or "", []).append(_message_of(result))
        turtle = turtle_of(graph) if "id" in document else ""
        return Check(
            text,
            turtle,
            messages,
            profile,
            report.conforms,
            len(report.violations),
            len(report.warnings),
            graph=graph if "id" in document else None,
        )

    def close(self) -> None:
        with self._lock:
            for validator in self._validators.values():
                validator.close()
            self._validators.clear()


def _with_report(result: Check, report: ValidationReport, reading: Reading) -> Check:
    """``result`` with the messages of the publisher's report in place of the form's check."""
    messages: dict[str, list[Message]] = {}
    for found in sorted(report.results, key=lambda r: r.severity != "Violation"):
        messages.setdefault(found.path or "", []).append(_message_of(found))
    for path, notes in reading.notes.items():
        messages.setdefault(path, []).extend(notes)
    return dataclasses.replace(
        result,
        messages=messages,
        profile=report.profile,
        conforms=False,
        violations=len(report.violations),
        warnings=len(report.warnings),
    )


def turtle_of(graph: Graph) -> str:
    """The record as Turtle, with gdcat's usual prefixes."""
    shown = Graph()
    for prefix, namespace in PREFIXES.items():
        shown.bind(prefix, namespace)
    for triple in graph:
        shown.add(triple)
    return shown.serialize(format="turtle")


# -- routes -------------------------------------------------------------------------------


def _publisher(request: Request) -> Any:
    """The application's publisher (``api`` installs it; typed loosely: ``ui`` does not
    import ``api``)."""
    ctx: _Context = request.app.state.ctx
    state = ctx.extras.get("publish")
    publisher = getattr(state, "publisher", None)
    if publisher is None:
        raise HTTPException(503, "publishing is not available on this server")
    return publisher


def _session(request: Request) -> StewardSession | None:
    try:
        return steward_of(request)
    except HTTPException:
        return None  # publishing is off: the form still describes and checks
    except GdcatError:
        return None  # the tokens file cannot be read now: nobody is signed in


def _default_profile(request: Request, session: StewardSession | None) -> str:
    ctx: _Context = request.app.state.ctx
    if session is not None and session.node is not None:
        try:
            profile: str = _publisher(request).rules_for(session.node).profile
            return profile
        except (HTTPException, GdcatError):
            pass
    return ctx.settings.default_profile


def _profile(form: _Form | None, default: str) -> str:
    chosen = form.one("profile") if form is not None else ""
    return chosen if chosen in PROFILE_NAMES else default


async def _posted(request: Request) -> FormData:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, f"the form is larger than {MAX_FORM_BYTES:,} bytes")
    return await request.form(max_part_size=MAX_FORM_BYTES, max_fields=MAX_FORM_FIELDS)


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/describe`` (GET and POST), ``/describe/check``, ``/describe/terms``, the
    downloads ``/describe/dataset.yaml`` and ``/describe/dataset.ttl``, and
    ``/steward/publish``."""
    offer_page(app, "describe")
    checker = Checker(ctx.settings)

    def datalists(lang: str) -> list[tuple[str, list[tuple[str, str, str | None]]]]:
        """The long lists' suggestions, once per page (every text box of a list shares it)."""
        seen: dict[str, list[tuple[str, str, str | None]]] = {}
        for item in model_fields.flatten(model_fields.fields()):
            if (
                item.kind is Kind.TERM
                and not item.searchable
                and len(item.choices) > LONG_LIST
                and item.vocabulary is not None
                and item.vocabulary not in seen
            ):
                seen[item.vocabulary] = [
                    (c.value, *_option_label(c, item.vocabulary, lang)) for c in item.choices
                ]
        return list(seen.items())

    def page(
        request: Request,
        reading: Reading,
        *,
        form: _Form | None,
        session: StewardSession | None,
        checked: bool,
        outcome: dict[str, Any] | None = None,
        problem: str | None = None,
        status: int = 200,
        record: str | None = None,
        refusal: ValidationReport | None = None,
        held_by: str | None = None,
    ) -> HTMLResponse:
        reader = reader_of(request)
        profile = _profile(form, _default_profile(request, session))
        sections = _sections(reading.document, reader)
        _show_typed(sections, reading.typed, reader.lang)
        result: Check | None = None
        left: list[tuple[str, Message]] = []
        if checked:
            result = checker.check(reading, profile, reader)
            if refusal is not None:  # the publisher's own report (the node's profile) decides
                result = _with_report(result, refusal, reading)
            left = _attach(sections, result.messages)
        home = str(request.base_url)
        languages = _language_choices(reader.lang)
        body = render(
            request,
            "describe.html",
            ctx={
                "severity_words": SEVERITY_WORDS,
                "language_choices": languages,
                "language_codes": {code for code, _ in languages},
                "home": home,
            },
            section="describe",
            sections=sections,
            result=result,
            left=left,
            profile=profile,
            profiles=[
                (name, get_profile(name).title, get_profile(name).purpose) for name in PROFILE_NAMES
            ],
            datalists=datalists(reader.lang),
            session=session,
            csrf_field=csrf_field(session),
            outcome=outcome,
            problem=problem,
            severity_words=SEVERITY_WORDS,
            record=record,
            held_by=held_by,
            publish_url=f"{home}steward/publish",
        )
        return HTMLResponse(body, status_code=status, headers={"Vary": "Accept-Language, Cookie"})

    @app.get("/describe", include_in_schema=False, response_class=HTMLResponse)
    def describe_page(request: Request, record: str | None = None) -> HTMLResponse:
        session = _session(request)
        if not record:
            return page(request, Reading({}), form=None, session=session, checked=False)
        graph = ctx.store.get_record(record)
        if graph is None:
            raise HTTPException(404, f"no live record of {record} in the catalogue")
        reading = Reading(document_from_yaml(dump_steward_yaml(graph)))
        stored = ctx.store.catalog_record(record)
        node = stored.meta.node if stored is not None else None
        held_by = node if session is not None and node != session.node else None
        return page(
            request,
            reading,
            form=None,
            session=session,
            checked=True,
            record=record,
            held_by=held_by or None,
        )

    @app.post("/describe", include_in_schema=False, response_class=HTMLResponse)
    async def describe_posted(request: Request) -> HTMLResponse:
        """The form checked (the draft without JavaScript), or a YAML draft read back."""
        reader = reader_of(request)
        posted = await _posted(request)
        session = _session(request)
        upload = posted.get("yaml")
        problem = None
        if isinstance(upload, UploadFile) or (isinstance(upload, str) and upload.strip()):
            text = (
                (await upload.read()).decode("utf-8", errors="replace")
                if isinstance(upload, UploadFile)
                else upload
            )
            try:
                reading = Reading(document_from_yaml(text))
            except InputError as e:
                reading, problem = Reading({}), e.public_message
        else:
            reading = await run_in_threadpool(document_of, posted, reader)
        return await run_in_threadpool(
            lambda: page(
                request,
                reading,
                form=_Form(posted),
                session=session,
                checked=True,
                problem=problem,
            )
        )

    @app.post("/describe/check", include_in_schema=False, response_class=HTMLResponse)
    async def describe_check(request: Request) -> HTMLResponse:
        """Every field's messages and the preview, as out-of-band fragments (htmx)."""
        reader = reader_of(request)
        posted = await _posted(request)
        form = _Form(posted)
        session = _session(request)

        def answer() -> str:
            reading = document_of(posted, reader)
            profile = _profile(form, _default_profile(request, session))
            sections = _sections(reading.document, reader)
            _show_typed(sections, reading.typed, reader.lang)
            result = checker.check(reading, profile, reader)
            left = _attach(sections, result.messages)
            return render(
                request,
                "describe_check.html",
                walk=_walk,
                sections=sections,
                result=result,
                left=left,
                severity_words=SEVERITY_WORDS,
                session=session,
            )

        return HTMLResponse(await run_in_threadpool(answer), headers={"Vary": "Accept-Language"})

    @app.get("/describe/terms", include_in_schema=False, response_class=HTMLResponse)
    def describe_terms(request: Request, field: str = "", q: str = "") -> HTMLResponse:
        """The terms of a phenotype or disease field matching ``q``, as check boxes."""
        reader = reader_of(request)
        path = _ROW_INDEX.sub("", field)
        item = model_fields.field_at(path)
        if item is None or not item.searchable or item.vocabulary is None:
            raise HTTPException(404, f"no field {field!r} with a vocabulary to search")
        q = request.query_params.get(field + ".q", q)
        ticked = [
            found
            for value in dict.fromkeys(request.query_params.getlist(field))
            if (found := model_fields.resolve_term(item.vocabulary, value)) is not None
        ]
        matches = [(c.value, *_option_label(c, item.vocabulary, reader.lang), True) for c in ticked]
        matches += [
            (c.value, *_option_label(c, item.vocabulary, reader.lang), False)
            for c in model_fields.search_terms(item.vocabulary, q[:200], MAX_MATCHES)
            if c not in ticked
        ]
        body = render(
            request,
            "describe_terms.html",
            name=field,
            id=_html_id(field),
            matches=matches,
            q=q[:200],
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})

    async def _download(request: Request, turtle: bool) -> Response:
        reader = reader_of(request)
        posted = await _posted(request)
        reading = await run_in_threadpool(document_of, posted, reader)
        text = yaml_text(reading.document)
        if turtle:
            try:
                graph = load_steward_yaml(text or "{}", "the form")
            except GdcatError as e:
                raise HTTPException(400, e.public_message) from e
            return Response(
                turtle_of(graph),
                media_type="text/turtle; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="dataset.ttl"'},
            )
        return Response(
            text,
            media_type="application/yaml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="dataset.yaml"'},
        )

    @app.post("/describe/dataset.yaml", include_in_schema=False)
    async def describe_yaml(request: Request) -> Response:
        return await _download(request, turtle=False)

    @app.post("/describe/dataset.ttl", include_in_schema=False)
    async def describe_turtle(request: Request) -> Response:
        return await _download(request, turtle=True)

    @app.post("/steward/publish", include_in_schema=False, response_class=HTMLResponse)
    async def steward_publish(request: Request) -> HTMLResponse:
        """Publish the form through the application's publisher (the steward's node)."""
        session, posted = await checked_form(request, max_fields=MAX_FORM_FIELDS)
        reader = reader_of(request)
        reading = await run_in_threadpool(document_of, posted, reader)
        form = _Form(posted)
        dataset = str(reading.document.get("id", ""))
        if session.node is None:
            raise HTTPException(403, "publishing needs a steward token of a node")
        if not dataset:
            return page(request, reading, form=form, session=session, checked=True, status=422)
        publisher = _publisher(request)
        text = yaml_text(reading.document)
        try:
            published = await run_in_threadpool(
                publisher.put,
                session.caller,
                session.node,
                dataset,
                text.encode("utf-8"),
                "application/yaml",
            )
        except GdcatError as e:
            report = e.report if isinstance(e, RecordRefusedError) else None
            _, status = outcome_of(e)
            refused = reader.gettext("%(node)s did not publish the dataset: %(reason)s") % {
                "node": session.node,
                "reason": e.public_message,
            }
            return await run_in_threadpool(
                lambda: page(
                    request,
                    reading,
                    form=form,
                    session=session,
                    checked=True,
                    problem=refused,
                    status=status,
                    refusal=report,
                )
            )
        home = str(request.base_url)
        outcome = {
            "status": published.status,
            "node": published.node,
            "dataset": published.dataset,
            "url": f"{home}dataset/{published.key}",
            "warnings": [_message_of(w) for w in published.warnings],
            "profile": published.profile,
        }
        return await run_in_threadpool(
            lambda: page(
                request,
                reading,
                form=form,
                session=session,
                checked=True,
                outcome=outcome,
                status=201 if published.status == "created" else 200,
            )
        )


def _language_choices(lang: str) -> list[tuple[str, str]]:
    """The language tags a multilingual text may be in: the EU's official languages first
    (by their names in the reader's language), as BCP 47 tags."""
    from babel import Locale

    locale = Locale.parse(lang)
    tags = (
        "en",
        "de",
        "fr",
        "nl",
        "bg",
        "cs",
        "da",
        "el",
        "es",
        "et",
        "fi",
        "ga",
        "hr",
        "hu",
        "it",
        "lt",
        "lv",
        "mt",
        "pl",
        "pt",
        "ro",
        "sk",
        "sl",
        "sv",
        "is",
        "no",
        "lb",
        "ca",
        "eu",
        "gl",
    )
    named = [(tag, locale.languages.get(tag, tag)) for tag in tags]
    return sorted(named, key=lambda t: t[1].casefold())
