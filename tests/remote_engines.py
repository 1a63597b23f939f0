"""The remote engines the tests run against, named the way the tests parametrise them."""

from __future__ import annotations

import pytest
from oxigraph_server import clear

from gdcat.settings import Settings


def engine_settings(request: pytest.FixtureRequest, engine: str, **settings: object) -> Settings:
    """Settings naming the session's ``engine`` (``oxigraph-server`` or ``virtuoso``), cleared."""
    if engine == "virtuoso":
        from virtuoso_server import virtuoso_settings

        return virtuoso_settings(request, **settings)
    url: str = request.getfixturevalue("oxigraph_url")
    clear(url)
    return Settings(store_url=url, **settings)  # type: ignore[arg-type]
