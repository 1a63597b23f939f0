"""gdcat over HTTP: ``create_app(settings, store)`` builds the FastAPI application.

Each module installs one part of the surface (see :mod:`gdcat.api.app`); errors become HTTP
problems in one place (:mod:`gdcat.api.problems`); content negotiation is shared
(:mod:`gdcat.api.negotiation`).
"""

from gdcat.api.app import create_app
from gdcat.api.context import AppContext

__all__ = ["AppContext", "create_app"]
