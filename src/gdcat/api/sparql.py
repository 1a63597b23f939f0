"""The SPARQL 1.1 Protocol endpoint at /sparql (to be built)."""

from __future__ import annotations

from fastapi import FastAPI

from gdcat.api.context import AppContext


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add this module's routes to ``app``."""
