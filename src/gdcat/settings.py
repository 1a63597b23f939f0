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
    default_profile: str = Field("gdcat", description="Validation profile used when none is named.")
    validation_workers: int = Field(
        2, description="Worker processes for batch validation (1 validates in-process)."
    )
    validation_batch_size: int = Field(
        200, description="Records validated together in one pySHACL run."
    )
