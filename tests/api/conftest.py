"""Fixtures of the API tests.

``gdcat_server`` is shared by the API tests of a session (read-only use only: tests that write
start their own server with :func:`live_gdcat.start_gdcat`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_gdcat import LiveGdcat, start_gdcat


@pytest.fixture(scope="session")
def gdcat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    """gdcat serving the harvested demo federation (read-only use)."""
    with start_gdcat(tmp_path_factory.mktemp("gdcat")) as live:
        yield live
