"""The index's schema, and one index document per record.

Every live record gets a document (data services too, as ``kind: other``, left out of every
search) so that the index accounts for exactly the records of the store. Values of controlled
vocabularies are stored as the API writes them (:mod:`gdcat.search.terms`): ``FRA``, ``WGS``,
``ORPHA:558``. A JSON *payload* holds what a hit shows, so a page of results is read from the
index alone.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import tantivy

from gdcat.search import duo
from gdcat.search.extract import RecordFacts
from gdcat.search.terms import (
    ACCESS_RIGHTS_SCHEME,
    COUNTRY_SCHEME,
    DISEASE_SCHEME,
    DUO_SCHEME,
    HEALTH_CATEGORY_SCHEME,
    PHENOTYPE_SCHEME,
    REFERENCE_GENOME_SCHEME,
    SEQUENCING_TYPE_SCHEME,
)
from gdcat.search.vocabulary import Vocabulary

#: Bumped whenever the schema or the way documents are made changes (the index is rebuilt).
SCHEMA_VERSION = 2

#: The analyzer of the text fields: words, lower case, accents folded (é = e), so one query
#: finds a term in every language; no stemming, which would favour one language.
TEXT_ANALYZER = "gdcat_text"

TEXT_FIELDS = ("title", "description", "keyword")
#: Fields counted by facets and used by filters (one token per value).
KEYWORD_FIELDS = (
    "kind",
    "country",
    "health_category",
    "sequencing_type",
    "reference_genome",
    "disease",
    "phenotype",
    "data_use",
    "access_rights",
    "publisher",
    "node",
    "outcome",
    "permission",
    "modifier",
)
#: Filter-only fields.
TERM_FIELDS = ("iri", "key", "disease_closure", "phenotype_closure", "derived_from")
#: Cohort figures (zero for series, data services and derived data).
COUNT_FIELDS = ("individuals", "genomes", "exomes", "samples")

#: The stored value of a dataset whose permission terms permit nothing.
NO_PERMISSION = "none"
#: Combining marks (accents) left over by NFKD decomposition.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
#: Date of a dataset that states none (sorts last, newest first).
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("description", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("keyword", tokenizer_name=TEXT_ANALYZER)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in TERM_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_sort", fast=True, tokenizer_name="raw", index_option="basic")
    for name in COUNT_FIELDS:
        builder.add_unsigned_field(name, fast=True)
    builder.add_unsigned_field("size", fast=True)  # own individuals, for sorting
    builder.add_date_field("modified", fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


@dataclass(frozen=True)
class IndexedRecord:
    """A record as the index holds it: its document and the payload inside."""

    dataset: str
    content_hash: str
    document: tantivy.Document
    payload: dict[str, Any]


def make_document(fact: RecordFacts, vocabulary: Vocabulary) -> IndexedRecord:
    """The index document of one record."""
    payload = _payload(fact)
    doc = tantivy.Document()
    doc.add_text("iri", fact.dataset)
    doc.add_text("key", fact.key)
    doc.add_text("kind", fact.kind)
    doc.add_bytes("payload", json.dumps(payload, ensure_ascii=False).encode())
    if fact.kind == "other":
        return IndexedRecord(fact.dataset, fact.content_hash, doc, payload)
    for field, texts in (
        ("title", fact.titles),
        ("description", fact.descriptions),
        ("keyword", fact.keywords),
    ):
        for text, _ in texts:
            doc.add_text(field, text)
    doc.add_text("title_sort", sort_key(pick_text(fact.titles, "en") or fact.dataset))
    facets: dict[str, list[str]] = {
        "country": [payload["country"]] if payload["country"] else [],
        "health_category": payload["health_categories"],
        "sequencing_type": payload["sequencing_types"],
        "reference_genome": payload["reference_genomes"],
        "disease": payload["diseases"],
        "phenotype": payload["phenotypes"],
        "data_use": [DUO_SCHEME.value(i) for i in (*fact.permissions, *fact.modifiers)],
        "access_rights": payload["access_rights"],
        "publisher": [p["id"] for p in payload["publishers"]],
        "node": [fact.node] if fact.node else [],
        "outcome": [fact.outcome] if fact.outcome else [],
        "permission": [payload["permission"]],
        "modifier": [DUO_SCHEME.value(i) for i in fact.modifiers],
        "disease_closure": _closure(fact.diseases, vocabulary, DISEASE_SCHEME.value),
        "phenotype_closure": _closure(fact.phenotypes, vocabulary, PHENOTYPE_SCHEME.value),
        "derived_from": fact.sources,
    }
    for field, values in facets.items():
        for value in dict.fromkeys(values):
            doc.add_text(field, value)
    counted = fact.kind == "dataset" and not fact.derived
    for field in COUNT_FIELDS:
        value = payload[field]
        doc.add_unsigned(field, value if counted and value is not None else 0)
    doc.add_unsigned("size", payload["individuals"] or 0)
    doc.add_date("modified", _date(payload["modified"] or payload["issued"]) or NO_DATE)
    return IndexedRecord(fact.dataset, fact.content_hash, doc, payload)


def _payload(fact: RecordFacts) -> dict[str, Any]:
    permission = duo.effective_permission(fact.permissions)
    return {
        "iri": fact.dataset,
        "key": fact.key,
        "kind": fact.kind,
        "content_hash": fact.content_hash,
        "identifier": min(fact.identifiers) if fact.identifiers else None,
        "titles": sorted(fact.titles, key=_text_order),
        "descriptions": sorted(fact.descriptions, key=_text_order),
        "keywords": sorted(set(fact.keywords), key=_text_order),
        "country": COUNTRY_SCHEME.value(fact.country) if fact.country else None,
        "node": fact.node,
        "publishers": [
            {"id": _publisher_id(p, fact), "names": sorted(fact.publisher_names.get(p, []))}
            for p in sorted(set(fact.publishers))
        ],
        "access_rights": _values(fact.access_rights, ACCESS_RIGHTS_SCHEME.value),
        "health_categories": _values(fact.health_categories, HEALTH_CATEGORY_SCHEME.value),
        "sequencing_types": _values(fact.sequencing_types, SEQUENCING_TYPE_SCHEME.value),
        "reference_genomes": _values(fact.reference_genomes, REFERENCE_GENOME_SCHEME.value),
        "diseases": _values(fact.diseases, DISEASE_SCHEME.value),
        "phenotypes": _values(fact.phenotypes, PHENOTYPE_SCHEME.value),
        "permissions": sorted(set(fact.permissions)),
        "permission": DUO_SCHEME.value(permission) if permission else NO_PERMISSION,
        "modifiers": sorted(set(fact.modifiers)),
        "disease_iris": sorted(set(fact.diseases)),
        "individuals": _count(fact.individuals),
        "genomes": _count(fact.genomes),
        "exomes": _count(fact.exomes),
        "samples": _count(fact.samples),
        "issued": _latest_date(fact.issued),
        "modified": _latest_date(fact.modified),
        "derived": fact.derived,
        "sources": sorted(set(fact.sources)),
        "outcome": fact.outcome,
        "profile": fact.profile,
    }


def _publisher_id(publisher: str, fact: RecordFacts) -> str:
    """A publisher's IRI; a blank-node publisher is known by its (English) name."""
    if not publisher.startswith("_:"):
        return publisher
    return pick_text(fact.publisher_names.get(publisher, []), "en") or "(unnamed publisher)"


def _values(iris: list[str], short: Any) -> list[str]:
    return sorted({short(i) for i in iris})


def _closure(iris: list[str], vocabulary: Vocabulary, short: Any) -> list[str]:
    return sorted({short(i) for i in vocabulary.closure(iris)})


def _text_order(text: tuple[str, str]) -> tuple[bool, str, str]:
    value, language = text
    return (language != "en", language, value)


def pick_text(texts: list[tuple[str, str]] | list[list[str]], language: str) -> str | None:
    """The text in ``language`` (or its primary subtag), else English, else untagged, else
    the first."""
    if not texts:
        return None
    pairs = [(t[0], t[1].lower()) for t in texts]
    wanted = language.lower()
    primary = wanted.split("-", 1)[0]
    for rank in range(4):
        for value, lang in pairs:
            if _language_rank(lang, wanted, primary) == rank:
                return value
    return pairs[0][0]


def _language_rank(lang: str, wanted: str, primary: str) -> int:
    """0: the language asked for; 1: its primary language; 2: English; 3: untagged; 4: other."""
    if lang == wanted:
        return 0
    if lang.split("-", 1)[0] == primary:
        return 1
    if lang == "en":
        return 2
    return 3 if lang == "" else 4


def sort_key(text: str) -> str:
    """Titles sort without regard to case or accents."""
    if text.isascii():
        return " ".join(text.casefold().split())[:200]
    plain = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(plain.split())[:200]


def _count(values: list[str]) -> int | None:
    numbers = []
    for value in values:
        try:
            number = int(float(value))
        except (ValueError, OverflowError):
            continue
        if 0 <= number < 2**63:
            numbers.append(number)
    return max(numbers) if numbers else None


def _latest_date(values: list[str]) -> str | None:
    parsed = sorted(d for d in (_date(v) for v in values) if d is not None)
    return parsed[-1].date().isoformat() if parsed else None


def _date(value: str | None) -> datetime | None:
    """A date or date-time literal (``2024``, ``2024-05``, ``2024-05-01``, with a time)."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return datetime(int(text), 1, 1, tzinfo=UTC)
        if len(text) == 7 and text[4] == "-":
            return datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
