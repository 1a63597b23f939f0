"""A test hook loaded by the ``gdcat serve`` processes of tests/api/test_several_servers.py
(their PYTHONPATH starts with this folder): with ``GDCAT_TEST_INDEX_GATE`` naming a file, the
search index's build stops before its first document until that file exists, so that a test
sees the server while the build runs (with its progress) without depending on how fast the
machine is. Not part of gdcat."""

from __future__ import annotations

import os

_GATE = os.environ.get("GDCAT_TEST_INDEX_GATE")

if _GATE:
    import time
    from pathlib import Path
    from typing import Any

    from gdcat.search import index as _index

    _make_document = _index.make_document

    def _gated_make_document(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + 120
        while not Path(str(_GATE)).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return _make_document(*args, **kwargs)

    _index.make_document = _gated_make_document
