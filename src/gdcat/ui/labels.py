"""Terms and literals for reading, in the reader's language.

A term (an IRI from a vocabulary) is shown by its label: in the reader's language where a
shipped vocabulary has one (the EU authority tables of access rights, data themes, licences…
carry labels in every EU language), else from the Unicode CLDR for the EU tables of languages
and countries (through Babel: ``language/NLD`` is *Niederländisch* to a German reader), else
the English label of any shipped vocabulary (DUO, HPO, ORDO, MONDO, gdcat's own schemes…),
else a readable local name (``file-type/VCF`` is *VCF*). Every label says its language, so a
page marks an English fallback with ``lang="en"``.

Literals: whole numbers grouped as the reader's language groups them, dates written out
(*14 May 2019*, *14. Mai 2019*), sizes in bytes as kB/MB/GB, booleans as *yes*/*no*.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from rdflib import Literal
from rdflib.namespace import XSD

from gdcat.paths import ontologies_dir
from gdcat.ui.i18n import LANGUAGES, N_, translations

_SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    (".nt.gz", ox.RdfFormat.N_TRIPLES),
    (".ttl.gz", ox.RdfFormat.TURTLE),
    (".nt", ox.RdfFormat.N_TRIPLES),
    (".ttl", ox.RdfFormat.TURTLE),
    (".rdf", ox.RdfFormat.RDF_XML),
    (".owl", ox.RdfFormat.RDF_XML),
)
AUTHORITY = "http://publications.europa.eu/resource/authority/"
_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
#: Namespaces of vocabulary terms: a term without a label is shown by its local name.
VOCABULARY_NAMESPACES = (
    AUTHORITY,
    _MEDIA_TYPES,
    "https://w3id.org/gdcat/vocab/",
    "http://purl.obolibrary.org/obo/",
    "http://www.orpha.net/ORDO/",
    "https://hdeu-dcat.data.health.europa.eu/resource/authority/",
    "https://w3id.org/dpv",
    "http://purl.org/adms/",
)
_INTEGERS = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
}
YES = N_("yes")
NO = N_("no")


@dataclass(frozen=True)
class Label:
    """A text and the language it is in (None: no language, such as a code)."""

    text: str
    lang: str | None


@cache
def translated_labels() -> dict[str, dict[str, str]]:
    """Term IRI -> language -> label, in the pages' languages, from every shipped vocabulary
    that carries labels in more than English (``*.en.*`` extracts are English only)."""
    wanted = set(LANGUAGES)
    found: dict[str, dict[str, str]] = {}
    preferred: set[tuple[str, str]] = set()
    root = ontologies_dir() / "vocabularies"
    for path in sorted(root.rglob("*")):
        fmt = _format(path)
        if fmt is None or ".en." in path.name:
            continue
        for quad in _parse(path, fmt):
            predicate = quad.predicate.value
            obj, subject = quad.object, quad.subject
            if predicate not in (_SKOS_PREF, _RDFS_LABEL) or not isinstance(obj, ox.Literal):
                continue
            lang = (obj.language or "").split("-")[0]
            if lang not in wanted or not isinstance(subject, ox.NamedNode):
                continue
            key = (subject.value, lang)
            labels = found.setdefault(subject.value, {})
            if predicate == _SKOS_PREF and key not in preferred:
                preferred.add(key)
                labels[lang] = obj.value
            elif lang not in labels:
                labels[lang] = obj.value
    return found


def _format(path: Path) -> ox.RdfFormat | None:
    return next((fmt for suffix, fmt in _FORMATS if path.name.endswith(suffix)), None)


def _parse(path: Path, fmt: ox.RdfFormat) -> list[ox.Quad]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return list(ox.parse(data, format=fmt, base_iri=path.as_uri()))


@cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def cldr_label(iri: str, lang: str) -> str | None:
    """The CLDR name of an EU language or country table entry, in ``lang``."""
    if iri.startswith(AUTHORITY + "language/"):
        code = iri.rsplit("/", 1)[-1].lower()
        alias = get_global("language_aliases").get(code, code)
        return _locale(lang).languages.get(alias)
    if iri.startswith(AUTHORITY + "country/"):
        code = iri.rsplit("/", 1)[-1].upper()
        aliases = get_global("territory_aliases").get(code, [code])
        alias = aliases[0] if isinstance(aliases, list) and aliases else code
        return _locale(lang).territories.get(alias)
    return None


def term_label(iri: str, lang: str, english: str | None) -> Label | None:
    """The label of the term ``iri`` for a reader of ``lang`` (``english``: the English
    label the shipped vocabularies give it, if any)."""
    labels = translated_labels().get(iri, {})
    if lang != "en":
        if lang in labels:
            return Label(labels[lang], lang)
        cldr = cldr_label(iri, lang)
        if cldr:
            return Label(cldr, lang)
    if english:
        return Label(english, "en")
    if "en" in labels:
        return Label(labels["en"], "en")
    cldr = cldr_label(iri, "en")
    return Label(cldr, "en") if cldr else None


def local_name(iri: str) -> str | None:
    """A readable name of a vocabulary term without a label (``file-type/VCF`` -> ``VCF``,
    a media type -> ``text/html``); None for an IRI from no vocabulary."""
    if iri.startswith(_MEDIA_TYPES):
        return iri[len(_MEDIA_TYPES) :] or None
    if not iri.startswith(VOCABULARY_NAMESPACES):
        return None
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or None


# -- literals -----------------------------------------------------------------------------


def readable_literal(literal: Literal, lang: str, *, size: bool = False) -> str:
    """``literal`` for a reader of ``lang``: numbers grouped, dates written out, booleans as
    words; ``size``: a number of bytes in kB/MB/GB. Anything else as written."""
    datatype = literal.datatype
    value = literal.toPython()
    if datatype == XSD.boolean and isinstance(value, bool):
        return translations(lang).gettext(YES if value else NO)
    if datatype in _INTEGERS and isinstance(value, int) and not isinstance(value, bool):
        return readable_size(value, lang) if size else format_integer(value, lang)
    if datatype == XSD.date and isinstance(value, date):
        return format_date(value, format="long", locale=_locale(lang))
    if datatype == XSD.dateTime and isinstance(value, datetime):
        return readable_moment(value, lang)
    return str(literal)


def readable_moment(moment: datetime, lang: str) -> str:
    return format_datetime(moment, format="medium", locale=_locale(lang))


def readable_utc(moment: datetime, lang: str, *, short: bool = False) -> str:
    """A time in UTC as ``lang`` writes its date (``7 déc. 2026 01:42 UTC``; ``short``:
    ``07.12.26 01:42``)."""
    when = moment.astimezone(UTC)
    day = format_date(when.date(), format="short" if short else "medium", locale=_locale(lang))
    clock = format_time(when, format="HH:mm", locale=_locale(lang))
    return f"{day} {clock}" if short else f"{day} {clock} UTC"


def readable_day(text: str, lang: str) -> str:
    """A day written ``YYYY-MM-DD`` as ``lang`` writes it (as given when it is no day)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return format_date(day, format="medium", locale=_locale(lang))


def readable_decimal(value: float, lang: str, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, as ``lang`` writes it (``42,5``)."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_integer(value: int, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang))


_UNITS = ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB"))


def readable_size(value: int, lang: str) -> str:
    """A number of bytes as people write it (``900 GB``), decimal units."""
    for factor, unit in _UNITS:
        if value >= factor:
            amount = format_decimal(round(value / factor, 1), locale=_locale(lang))
            return f"{amount}\u00a0{unit}"
    return f"{format_integer(value, lang)}\u00a0B"
