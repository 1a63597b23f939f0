"""The steward fields' labels and help texts in other languages: one gettext catalogue per
language beside the model.

The model's slots carry their English label (``title``) and help text (``description``);
:mod:`gdcat.model.fields` reads them. Their translations live in
``model/locale/<lang>/fields.po`` (a standard gettext catalogue whose ``msgid`` is the English
text, so a translator's tool opens it and a reworded English text shows up as untranslated),
with ``model/locale/fields.pot`` listing every text to translate. A text without a
translation, such as the label of a slot added to the model since, stays English.

``python -m gdcat.model.translations`` rewrites the template from the model and updates each
catalogue of :data:`LANGUAGES` (new texts added untranslated, texts the model no longer has
dropped, translations kept); a missing catalogue is created, which is how a language is
added. A test fails while any text of a catalogue is untranslated.

API
---

``translate(text, lang) -> str`` · ``translated(text, lang) -> (text, lang)``
    ``text`` (an English label or help text of the model) in ``lang``, else as given (and
    the language it is in, for a ``lang`` attribute).
``catalogue_path(lang)``, ``template_path()``, ``update_catalogues(texts) -> list[Path]``,
``reset()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from gdcat.paths import model_dir

#: The languages the fields are translated into (English is the model's own).
LANGUAGES: tuple[str, ...] = ("de", "fr", "nl")
SOURCE_LANGUAGE = "en"
DOMAIN = "fields"


def locale_dir() -> Path:
    return model_dir() / "locale"


def catalogue_path(lang: str) -> Path:
    return locale_dir() / lang / f"{DOMAIN}.po"


def template_path() -> Path:
    return locale_dir() / f"{DOMAIN}.pot"


def read_catalogue(lang: str) -> Catalog:
    """The catalogue of ``lang`` as written (empty when there is none)."""
    path = catalogue_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@cache
def table(lang: str) -> dict[str, str]:
    """The translated texts of ``lang``: English text -> translation (fuzzy or empty
    entries left out; English, or a language without a catalogue: empty)."""
    if lang == SOURCE_LANGUAGE or not catalogue_path(lang).exists():
        return {}
    return {
        str(m.id): str(m.string)
        for m in read_catalogue(lang)
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def translated(text: str, lang: str) -> tuple[str, str]:
    """``text`` in ``lang`` and the language it is in: ``(translation, lang)`` where the
    catalogue has it, else ``(text, "en")``."""
    found = table(lang).get(text) if text else None
    return (found, lang) if found is not None else (text, SOURCE_LANGUAGE)


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang`` where the catalogue has it, else ``text``."""
    return translated(text, lang)[0]


def _write(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalogue, width=96, omit_header=False, sort_output=True)
    lines = [
        line
        for line in buffer.getvalue().decode("utf-8").splitlines(keepends=True)
        if not line.startswith('"POT-Creation-Date: ')  # no churn in diffs
    ]
    path.write_text("".join(lines), encoding="utf-8")


def update_catalogues(texts: Iterable[str]) -> list[Path]:
    """Write the template of ``texts`` and bring every catalogue of :data:`LANGUAGES` to them
    (translations kept, new texts untranslated, others dropped); the files written."""
    wanted = sorted(dict.fromkeys(t for t in texts if t))
    template = Catalog(project="gdcat", copyright_holder="gdcat contributors", domain=DOMAIN)
    for text in wanted:
        template.add(text)
    _write(template, template_path())
    written = [template_path()]
    for lang in LANGUAGES:
        old = read_catalogue(lang)
        new = Catalog(
            locale=lang,
            project="gdcat",
            copyright_holder="gdcat contributors",
            domain=DOMAIN,
            fuzzy=False,
        )
        for text in wanted:
            kept = old.get(text)
            new.add(text, kept.string if kept is not None and not kept.fuzzy else "")
        _write(new, catalogue_path(lang))
        written.append(catalogue_path(lang))
    reset()
    return written


def reset() -> None:
    """Forget the compiled catalogues (after they changed, or ``GDCAT_HOME`` did)."""
    table.cache_clear()


def catalogue_texts() -> list[str]:
    """Every text the catalogues translate: the steward fields' labels and help texts, and
    the spreadsheet template's own words."""
    from gdcat.model.fields import catalogue_texts as field_texts
    from gdcat.model.template import TEMPLATE_TEXTS

    return [*field_texts(), *TEMPLATE_TEXTS]


def main() -> None:
    for path in update_catalogues(catalogue_texts()):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()


__all__ = [
    "LANGUAGES",
    "catalogue_path",
    "catalogue_texts",
    "read_catalogue",
    "reset",
    "table",
    "template_path",
    "translate",
    "translated",
    "update_catalogues",
]
