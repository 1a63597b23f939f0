"""Country codes: what a node's country may be written as, and the code gdcat keeps.

gdcat keeps a country as the code of the EU country authority table
(``http://publications.europa.eu/resource/authority/country/NLD``), which for countries is the
ISO 3166-1 alpha-3 code. Registries and commands also accept the ISO 3166-1 alpha-2 code
(``NL``), in any case, and the two codes the EU institutions use instead of ISO's (``EL`` for
Greece, ``UK`` for the United Kingdom).

The alpha-3 codes are those of the shipped EU table that are not deprecated
(``ontologies/vocabularies/eu-authority-tables/countries-skos.en.nt.gz``); the alpha-2 codes
come from the Unicode CLDR's ISO 3166 aliases as Babel ships them (the EU table maps its codes
to older EU conventions only, not to ISO alpha-2).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel.core import get_global

from gdcat.paths import ontologies_dir

_TABLE = "vocabularies/eu-authority-tables/countries-skos.en.nt.gz"
_CONCEPT = re.compile(
    r"^<http://publications\.europa\.eu/resource/authority/country/([A-Z0-9_]+)> "
    r'<http://publications\.europa\.eu/ontology/authority/(authority-code|deprecated)> "([^"]*)"'
)
#: The EU institutions' own two-letter codes where they differ from ISO 3166-1 alpha-2.
_EU_ALPHA2 = {"EL": "GRC", "UK": "GBR"}


class UnknownCountryError(ValueError):
    """A value that is no known country code."""


@dataclass(frozen=True)
class _Codes:
    alpha3: frozenset[str]
    alpha2: dict[str, str]


def country_code(value: str) -> str:
    """The alpha-3 code (EU country table) of ``value``: an alpha-3 or alpha-2 code in any
    case. Raises :class:`UnknownCountryError` (a ``ValueError``) saying what is accepted."""
    code = value.strip().upper()
    codes = _codes()
    if len(code) == 3 and code in codes.alpha3:
        return code
    if len(code) == 2 and code in codes.alpha2:
        return codes.alpha2[code]
    raise UnknownCountryError(
        f"{value!r} is not a known country code; use an ISO 3166-1 alpha-3 code (NLD) or "
        "alpha-2 code (NL), as listed in the EU country table"
    )


@lru_cache(maxsize=1)
def _codes() -> _Codes:
    """The live alpha-3 codes of the EU table and the alpha-2 codes that map to them."""
    found: dict[str, str] = {}
    deprecated: set[str] = set()
    with gzip.open(ontologies_dir() / _TABLE, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _CONCEPT.match(line)
            if match is None:
                continue
            concept, field, text = match.groups()
            if field == "deprecated":
                if text == "true":
                    deprecated.add(concept)
            else:
                found[concept] = text
    alpha3 = frozenset(
        code
        for concept, code in found.items()
        if concept not in deprecated and re.fullmatch(r"[A-Z]{3}", code)
    )
    alpha2: dict[str, str] = {}
    aliases: Mapping[str, list[str]] = get_global("territory_aliases")
    for three, targets in aliases.items():
        # CLDR aliases every ISO alpha-3 code to its alpha-2 code (and retired codes too:
        # keeping only the table's live codes leaves one alpha-3 code for each alpha-2 code)
        if three in alpha3 and len(targets) == 1 and re.fullmatch(r"[A-Z]{2}", targets[0]):
            alpha2[targets[0]] = three
    for two, three in _EU_ALPHA2.items():
        if three in alpha3:
            alpha2.setdefault(two, three)
    return _Codes(alpha3, alpha2)
