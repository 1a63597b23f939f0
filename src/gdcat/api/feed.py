"""gdcat re-published as a paged DCAT-AP feed (Hydra) (to be built)."""

from __future__ import annotations

from fastapi import FastAPI

from gdcat.api.context import AppContext


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add this module's routes to ``app``."""
