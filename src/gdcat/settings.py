"""One settings object, built at the edge (CLI, app factory) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of gdcat, read from ``GDCAT_*`` environment variables or given directly."""

    model_config = SettingsConfigDict(env_prefix="GDCAT_", frozen=True)

    base_iri: str = Field(
        "http://127.0.0.1:8000/",
        description="Base under which gdcat mints IRIs (records, runs, graphs); ends with '/'.",
    )
    store_dir: Path = Field(
        Path("var/store"), description="Folder of the embedded Oxigraph store on disk."
    )
    max_document_bytes: int = Field(
        50 * 1024 * 1024, description="Largest RDF or YAML document gdcat parses (bytes)."
    )
    max_document_triples: int = Field(
        300_000,
        gt=0,
        description="Most triples one document (published, validated, loaded or harvested) "
        "may hold; parsing stops past it (560 bytes to 2 KB of memory a triple once parsed).",
    )
    max_nesting_depth: int = Field(
        64,
        gt=0,
        le=400,
        description="Deepest nesting of a document: Turtle/TriG brackets and collections, "
        "JSON and JSON-LD arrays and objects, XML elements, YAML lists and mappings.",
    )
    max_xml_entities: int = Field(
        100, ge=0, description="Most entity declarations (<!ENTITY) one RDF/XML document may hold."
    )
    max_xml_entity_expansion: int = Field(
        10 * 1024 * 1024,
        ge=0,
        description="Most bytes the entities of one RDF/XML document may expand to, all "
        "declarations and references together.",
    )
    default_profile: str = Field("gdcat", description="Validation profile used when none is named.")
    validation_workers: int = Field(
        2, description="Worker processes for batch validation (1 validates in-process)."
    )
    validation_batch_size: int = Field(
        200, description="Records validated together in one pySHACL run."
    )

    # -- serving (gdcat serve) ------------------------------------------------------------
    index_dir: Path | None = Field(
        None,
        description="Folder of the search index on disk (default: next to the store, "
        "'<store_dir>-index'); rebuilt from the store when missing or stale.",
    )
    sparql_timeout: float = Field(
        20.0, gt=0, description="Longest a public SPARQL query may run (seconds)."
    )
    sparql_max_rows: int = Field(
        10_000, gt=0, description="Most rows (or triples) a public SPARQL answer holds."
    )
    sparql_workers: int = Field(
        2, ge=1, description="Processes answering SPARQL queries (a runaway one is stopped)."
    )
    sparql_worker_memory: int = Field(
        2 * 1024**3,
        ge=512 * 1024**2,
        description="Most memory (address space, bytes) a SPARQL worker process may use, "
        "enforced by the system (RLIMIT_AS); a query needing more is stopped.",
    )
    sparql_cpu_limit: int | None = Field(
        None,
        ge=1,
        description="Most CPU seconds one SPARQL query may use, enforced by the system "
        "(RLIMIT_CPU); none: the time limit, rounded up.",
    )
    sparql_client_concurrency: int | None = Field(
        None,
        ge=1,
        description="SPARQL queries one client (address) may have answered at once; none: "
        "one less than sparql_workers (at least 1).",
    )
    sparql_client_queue: int = Field(
        2, ge=0, description="Further SPARQL queries of one client that may wait for its turn."
    )
    sparql_max_query_length: int = Field(
        1_000_000, ge=1, description="Longest SPARQL query text accepted (characters)."
    )
    sparql_max_nesting: int = Field(
        100, ge=1, description="Deepest nesting of braces, brackets and parentheses in a query."
    )
    sparql_max_query_tokens: int = Field(
        10_000,
        ge=1,
        description="Most tokens (terms, operators, punctuation) in a query, VALUES data not "
        "counted.",
    )
    trusted_proxies: tuple[str, ...] = Field(
        (),
        description="Addresses or networks of reverse proxies whose X-Forwarded-For gdcat "
        "believes when it tells clients apart.",
    )
    sparql_updates: bool = Field(
        False,
        description="Accept SPARQL Update at /sparql (with the admin token only). Meant for a "
        "scratch store, never the public catalogue.",
    )
    admin_token: str | None = Field(
        None,
        description="Secret for administrative calls (SPARQL Update, harvest, index rebuild, "
        "the command line's writes through a running server); none: `gdcat serve` makes one "
        "for each run in the private file <store_dir>/admin-token.",
    )
    tokens_file: Path = Field(
        Path("var/tokens.json"),
        description="Steward tokens, one per node, stored as hashes (see `gdcat token`).",
    )
    session_cookie_secure: bool = Field(
        True,
        description="Mark the stewards' sign-in cookie Secure (sent over HTTPS only; browsers "
        "also accept it from http://127.0.0.1 and localhost). Turn off only for a plain-HTTP "
        "server on another host.",
    )
    registry_file: Path | None = Field(
        None,
        description="Node registry; its SPARQL nodes are the only SERVICE targets allowed.",
    )
    registration_allow_private: bool = Field(
        False,
        description="Accept self-registrations of loopback and private addresses (test and "
        "intranet set-ups only).",
    )
    registration_rate: int = Field(
        10,
        ge=1,
        description="Self-registrations one client address (an IPv6 client: its /64) may "
        "make per hour; more are answered 429 with Retry-After.",
    )
    registration_max_pending: int = Field(
        100,
        ge=1,
        description="Most self-registrations waiting for their first harvest; a new one "
        "beyond that is answered 429 until a harvest has taken them.",
    )
    service_allowlist: tuple[str, ...] = Field(
        (), description="Further SPARQL endpoints federated queries (SERVICE) may call."
    )
    cors_origins: tuple[str, ...] = Field(
        ("*",), description="Origins allowed to call the API from a browser."
    )
    max_request_line_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Longest request line (method, path and query) gdcat reads (bytes); "
        "longer is answered 414. A long SPARQL query belongs in a POST body.",
    )
    max_header_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Most bytes of header fields in one request; more is answered 431.",
    )
    keepalive_timeout: float = Field(
        5.0,
        gt=0,
        description="Longest an open connection may wait for its next request (seconds), "
        "before its first request and between requests; then it is closed.",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Longest a client may take to send a request's line and headers, from "
        "their first byte (seconds); then it is answered 408 and disconnected.",
    )
    body_timeout: float = Field(
        20.0,
        gt=0,
        description="Time a client has to send a request body (seconds), extended by one "
        "second per body_min_rate bytes received; then it is answered 408.",
    )
    body_min_rate: int = Field(
        500,
        gt=0,
        description="Slowest a request body may arrive once body_timeout has passed "
        "(bytes per second, on average).",
    )
    page_size: int = Field(20, ge=1, le=1000, description="Search results per page by default.")
    max_page_size: int = Field(200, ge=1, description="Largest page of search results.")
    feed_page_size: int = Field(100, ge=1, description="Datasets per page of the DCAT-AP feed.")
    store_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="URL of a remote SPARQL store (Oxigraph server: the address `oxigraph serve` "
        "listens at); when set, gdcat keeps its records there instead of in store_dir.",
    )
    store_kind: Literal["auto", "oxigraph", "virtuoso", "fuseki", "generic"] = Field(
        "auto",
        description="The remote store's engine; auto asks it (its Server header). "
        "oxigraph and virtuoso are supported.",
    )
    store_timeout: float = Field(
        60.0,
        gt=0,
        description="Longest one request to the remote store may take (seconds); then the "
        "store counts as unavailable (503 with Retry-After).",
    )
    store_user: str | None = Field(
        None,
        description="User name for the remote store (HTTP basic authentication; digest for "
        "Virtuoso).",
    )
    store_password: SecretStr | None = Field(
        None,
        description="Password for the remote store (HTTP basic authentication; digest for "
        "Virtuoso).",
    )
    follow_interval: float = Field(
        2.0,
        ge=0,
        description="How often a gdcat serve process over a remote store reads the changes "
        "other processes wrote (seconds): a write through one process is searchable through "
        "every other within about this delay; 0 stops following.",
    )
    validation_engine: Literal["gdcat", "pyshacl"] = Field(
        "gdcat",
        description="The SHACL engine that validates records: gdcat's own (the same results "
        "as pySHACL, several times faster; shapes it cannot follow go to pySHACL) or pySHACL.",
    )
    harvest_nodes_at_once: int = Field(
        4,
        ge=1,
        le=64,
        description="Nodes a harvest crawls at once, each in a thread (their records are "
        "validated and written one batch at a time whatever the number).",
    )
    harvest_parse_workers: int | None = Field(
        None,
        ge=0,
        description="Worker processes that parse, split and hash the pages of DCAT documents "
        "and feeds, SPARQL endpoints' batches and FAIR Data Points' datasets during a harvest "
        "(default: one per core; 0 parses in the harvesting process).",
    )
    harvest_parse_pool_from: int = Field(
        65536,
        ge=0,
        description="Pages of at least this many bytes go to the parsing processes; smaller "
        "ones are parsed in the harvesting process, where they cost less than the trip. A FAIR "
        "Data Point's datasets go several at a time, until their pages reach this many bytes.",
    )
