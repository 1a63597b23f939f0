"""One settings object, built at the edge (CLI, app factory) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
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
    sparql_updates: bool = Field(
        False,
        description="Accept SPARQL Update at /sparql (with the admin token only). Meant for a "
        "scratch store, never the public catalogue.",
    )
    admin_token: str | None = Field(
        None,
        description="Secret for administrative calls (SPARQL Update, harvest, index rebuild); "
        "none means administration over HTTP is off.",
    )
    tokens_file: Path = Field(
        Path("var/tokens.json"),
        description="Steward tokens, one per node, stored as hashes (see `gdcat token`).",
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
    service_allowlist: tuple[str, ...] = Field(
        (), description="Further SPARQL endpoints federated queries (SERVICE) may call."
    )
    cors_origins: tuple[str, ...] = Field(
        ("*",), description="Origins allowed to call the API from a browser."
    )
    page_size: int = Field(20, ge=1, le=1000, description="Search results per page by default.")
    max_page_size: int = Field(200, ge=1, description="Largest page of search results.")
    feed_page_size: int = Field(100, ge=1, description="Datasets per page of the DCAT-AP feed.")
