"""The only search entry point for the API and the UI (to be built)."""

from __future__ import annotations

from typing import Any

from gdcat.settings import Settings
from gdcat.store import Store


def open_index(settings: Settings, store: Store) -> Any:
    """The search index following ``store`` (None until search exists)."""
    return None
