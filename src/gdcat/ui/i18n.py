"""The pages' own text in the reader's language: gettext catalogues, chosen per request.

The catalogues are ``locale/<lang>/LC_MESSAGES/messages.po`` beside this module (English is
the source language, so it needs none). They are compiled in memory on first use, so a fresh
clone serves every language without a build step; ``make messages`` extracts the messages
from the templates and from this package's Python (``N_("...")``) and updates each catalogue.

The language is the ``lang`` query parameter when it names one of :data:`LANGUAGES` (the
switch in every page's header sets it, and links keep it), else the best match of the
``Accept-Language`` header, else English.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: The languages of the pages' own text: code -> the language's name in itself.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français", "nl": "Nederlands"}
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the messages as written)."""
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as f:
        catalogue = read_po(f, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def accepted_languages(header: str | None) -> list[str]:
    """The primary language subtags of an ``Accept-Language`` header, most wanted first."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.split("-")[0]))
    return [tag for _, _, tag in sorted(ranked)]


@dataclass(frozen=True)
class Reader:
    """Who reads a page: the language of its text, and whether the reader chose it in the URL
    (then links keep ``lang``; a language from ``Accept-Language`` needs no parameter)."""

    lang: str
    chosen: bool = False

    def gettext(self, message: str) -> str:
        return translations(self.lang).gettext(message)


def choose_reader(lang_parameter: str | None, accept_language: str | None) -> Reader:
    """The reader of a request with this ``lang`` parameter and ``Accept-Language`` header."""
    wanted = (lang_parameter or "").strip().lower().split("-")[0]
    if wanted in LANGUAGES:
        return Reader(wanted, chosen=True)
    for tag in accepted_languages(accept_language):
        if tag in LANGUAGES:
            return Reader(tag)
    return Reader(SOURCE_LANGUAGE)
