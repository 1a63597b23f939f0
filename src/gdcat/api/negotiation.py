"""Content negotiation shared by every route: ``Accept`` with q-values, and ``?format=``.

The RDF forms come from the one format table (:mod:`gdcat.rdf.formats`), so the API offers
exactly what gdcat can write.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request

from gdcat.api.problems import Problem
from gdcat.errors import UnsupportedFormatError
from gdcat.rdf.formats import get_format

#: RDF forms every resource offers, preferred first when the client does not mind.
RDF_MEDIA_TYPES: tuple[str, ...] = (
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
)
HTML = "text/html"
JSON = "application/json"
CSV = "text/csv"

#: ``?format=`` values (besides the RDF format names and aliases of the format table).
_FORMAT_ALIASES = {"html": HTML, "json": JSON, "csv": CSV}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an ``Accept`` header with their q-values, best first (stable)."""
    if not header:
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    # More specific ranges win ties (text/turtle over text/* over */*), then order.
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(m, q) for m, q, _ in ranges]


def _matches(media_range: str, offer: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    kind, _, sub = media_range.partition("/")
    offer_kind, _, offer_sub = offer.partition("/")
    return kind == offer_kind and sub in ("*", offer_sub)


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the ``Accept`` header prefers, or None if it accepts none of them."""
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    ranges = parse_accept(accept)
    for index, offer in enumerate(offers):
        # An offer's quality is that of the most specific range matching it.
        quality: float | None = None
        specificity = -1
        for media, q in ranges:
            if _matches(media, offer):
                spec = 2 - media.count("*")
                if spec > specificity:
                    quality, specificity = q, spec
        if quality is None or quality <= 0:
            continue
        key = (quality, specificity, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def preferred(request: Request, offers: Sequence[str]) -> str:
    """The offer the request prefers, the first offer when it accepts none (for errors)."""
    return choose(request.headers.get("accept"), offers) or offers[0]


def format_param(value: str) -> str:
    """The media type a ``?format=`` value names (``ttl``, ``jsonld``, ``html``, a media type)."""
    if "/" in value:
        return value.lower()
    key = value.lower()
    if key in _FORMAT_ALIASES:
        return _FORMAT_ALIASES[key]
    try:
        return get_format(key).media_type
    except UnsupportedFormatError:
        raise Problem(
            400, "Unknown format", f"unknown format {value!r}", kind="unknown-format"
        ) from None


def negotiate(request: Request, offers: Sequence[str]) -> str:
    """The media type to answer with: ``?format=`` first, then ``Accept``; 406 if none fits."""
    wanted = request.query_params.get("format")
    if wanted is not None and not wanted.strip():
        raise Problem(400, "Unknown format", "format is empty", kind="unknown-format")
    if wanted:
        media = format_param(wanted)
        if media in offers:
            return media
        raise Problem(
            406,
            "Not acceptable",
            f"format {wanted!r} is not offered here (offered: {', '.join(offers)})",
            kind="not-acceptable",
        )
    chosen = choose(request.headers.get("accept"), offers)
    if chosen is None:
        raise Problem(
            406,
            "Not acceptable",
            f"none of the accepted types is offered (offered: {', '.join(offers)})",
            kind="not-acceptable",
        )
    return chosen
