"""The pages' own text is in the message catalogue, and every catalogue translates all of it.

- every message of ``messages.pot`` has a translation in German, French and Dutch (not empty,
  not fuzzy, with the same ``%(name)s`` placeholders);
- ``messages.pot`` holds exactly what the templates and ``ui``'s Python mark today
  (else: run ``make messages`` and translate the new entries);
- no template has words outside ``_()`` / ``ngettext()`` (text a reader would see untranslated).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po

from gdcat.ui.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path, translations

UI = Path(__file__).resolve().parents[2] / "src" / "gdcat" / "ui"
#: Files outside ``ui`` whose marked sentences the pages show (``make messages`` reads them).
MARKED_ELSEWHERE = (UI.parent / "validate" / "profiles.py",)
POT = UI / "locale" / "messages.pot"
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def template_messages() -> set[str | tuple[str, ...]]:
    """What ``make messages`` would extract today (the method map of ``babel.cfg``)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {
        "templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "true",
            "lstrip_blocks": "true",
        }
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(UI), method_map, options, keywords=keywords
    ):
        found.add(message)
    for path in MARKED_ELSEWHERE:
        with path.open("rb") as f:
            for _line, message, _comments, _context in extract("python", f, keywords=keywords):
                found.add(message)
    return found


def test_the_template_catalogue_holds_what_the_pages_mark() -> None:
    with POT.open("rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    marked = template_messages()
    assert marked - pot == set(), "new messages: run `make messages` and translate them"
    assert pot - marked == set(), "messages no page uses: run `make messages`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    with POT.open("rb") as f:
        wanted = [m for m in read_po(f) if m.id]
    with catalogue_path(lang).open("rb") as f:
        catalogue = read_po(f, locale=lang)
    problems = []
    for message in wanted:
        found = catalogue.get(message.id)
        if found is None:
            problems.append(f"missing: {message.id!r}")
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if found.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
            continue
        expected = {p for i in _ids(message.id) for p in PLACEHOLDER.findall(i)}
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != expected:
                problems.append(f"placeholders differ: {message.id!r} -> {s!r}")
    assert problems == [], f"{lang}: {len(problems)} problems\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalogue_compiles_and_translates(lang: str) -> None:
    assert translations(lang).gettext("Search datasets") != "Search datasets"


#: Template syntax, tags, comments and entities: what is left is text a reader sees.
_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_ELEMENT = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>|&\w+;", re.S)
#: Words that are names, not text (the same in every language).
_NAMES = {"gdcat", "IRI", "SPARQL", "CSV", "JSON", "OpenAPI"}


@pytest.mark.parametrize("template", sorted(p.name for p in (UI / "templates").glob("*.html")))
def test_no_template_text_outside_the_catalogue(template: str) -> None:
    source = (UI / "templates" / template).read_text(encoding="utf-8")
    text = _ELEMENT.sub(" ", _CODE.sub(" ", source))
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in _NAMES]
    assert words == [], f"{template}: text outside _(): {words}"
