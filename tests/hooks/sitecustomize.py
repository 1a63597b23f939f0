"""A test hook loaded by the ``gdcat serve`` processes of tests/api/test_several_servers.py
(their PYTHONPATH starts with this folder): with ``GDCAT_TEST_INDEX_GATE`` naming a file, the
search index's build waits until that file exists, so that a test sees the server while the
build runs without depending on how fast the machine is. Not part of gdcat."""

from __future__ import annotations

import os

_GATE = os.environ.get("GDCAT_TEST_INDEX_GATE")

if _GATE:
    import time
    from pathlib import Path
    from typing import Any

    from gdcat.search import index as _index

    _real_build = _index.SearchIndex._build

    def _gated_build(self: Any, path: Any) -> Any:
        deadline = time.monotonic() + 120
        while not Path(str(_GATE)).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return _real_build(self, path)

    _index.SearchIndex._build = _gated_build  # type: ignore[method-assign]
