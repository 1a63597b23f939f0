"""Fetching only: one HTTP client (limits, retries, conditional requests) and one module per
kind of national node. Sources hand the harvest pipeline documents and failures; they never
validate or write."""

from gdcat.sources.base import (
    Document,
    Failure,
    Item,
    PageParser,
    PageState,
    ParsedPage,
    ParsedRecord,
    Source,
)
from gdcat.sources.beacon import BeaconSource
from gdcat.sources.dcat import DcatSource
from gdcat.sources.fdp import FdpSource, strip_fdp_defaults
from gdcat.sources.http import FetchError, HttpClient, HttpPolicy, Response, Validators
from gdcat.sources.sparql import SparqlSource

#: The node kinds a registry may name.
SOURCE_KINDS = ("fdp", "dcat", "feed", "sparql", "beacon")

__all__ = [
    "SOURCE_KINDS",
    "BeaconSource",
    "DcatSource",
    "Document",
    "Failure",
    "FdpSource",
    "FetchError",
    "HttpClient",
    "HttpPolicy",
    "Item",
    "PageParser",
    "PageState",
    "ParsedPage",
    "ParsedRecord",
    "Response",
    "Source",
    "SparqlSource",
    "Validators",
    "strip_fdp_defaults",
]
