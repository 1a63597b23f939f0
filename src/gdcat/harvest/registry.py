"""The node registry: which national nodes gdcat harvests, and how.

A TOML (or YAML) file with one ``[[node]]`` table per node and optional ``[defaults]`` that
every node inherits::

    [defaults]
    profile = "gdcat"          # validation profile (gdcat profiles)
    policy = "reject"          # "reject" invalid records, or "accept" them with warnings
    timeout = 30               # seconds per request
    max_shrink = 0.25          # withdraw nothing if the node shrinks by more than this share

    [[node]]
    id = "nl"
    country = "NLD"            # ISO 3166-1 alpha-3 (EU country authority code) or alpha-2 (NL)
    kind = "fdp"               # fdp | dcat | feed | sparql | beacon
    url = "https://fdp.example.nl/"
    schedule = "daily"         # manual | hourly | daily | weekly | every 6h | PT6H
    credentials_env = "GDCAT_NL_TOKEN"   # sent as "Authorization: Bearer <value>"
    private = false            # true: the node may be on loopback or a private network

Every mistake is reported with the node and the field, before anything is fetched.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gdcat.countries import country_code
from gdcat.errors import InputError, SourceLocation
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits
from gdcat.sources import (
    BeaconSource,
    DcatSource,
    FdpSource,
    HttpPolicy,
    Source,
    SparqlSource,
)
from gdcat.validate.profiles import PROFILE_NAMES

if TYPE_CHECKING:
    from gdcat.harvest.parsing import PageParser

Kind = Literal["fdp", "dcat", "feed", "sparql", "beacon"]
Policy = Literal["reject", "accept"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_EVERY = re.compile(r"^every\s+(\d+)\s*([mhd])$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?)?$")
_NAMED = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


class NodeConfig(BaseModel):
    """One national node as the registry describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Kind
    url: str
    #: ISO 3166-1 alpha-3 (the EU country table's code); alpha-2 is read and kept as alpha-3
    country: str | None = None
    name: str | None = None
    published_base: str | None = None
    profile: str = "gdcat"
    policy: Policy = "reject"
    schedule: str = "manual"
    credentials_env: str | None = None
    credentials_header: str = "Authorization"
    credentials_scheme: str = "Bearer"
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(0.5, ge=0)
    max_bytes: int = Field(50 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0, le=30)
    max_pages: int = Field(10_000, gt=0)
    #: requests kept in flight to the node at once (a FAIR Data Point's datasets)
    concurrency: int = Field(4, ge=1, le=16)
    max_shrink: float = Field(0.25, ge=0, le=1)
    #: crosswalks applied before validation: "gdi-healthdcat"
    crosswalks: tuple[Literal["gdi-healthdcat"], ...] = ()
    enabled: bool = True
    #: the node is on a private network: its host may resolve to loopback, private or
    #: link-local addresses (otherwise every address must be public, checked per connection)
    private: bool = False

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                "must be lower-case letters, digits, '.', '_' or '-' (at most 63 characters)"
            )
        return value

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return None if value is None else country_code(value)

    @field_validator("url", "published_base")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.match(r"^(https?|file)://", value) and not value.startswith(("/", ".")):
            raise ValueError("must be an http(s):// or file:// URL, or a path")
        return value

    @field_validator("profile")
    @classmethod
    def _check_profile(cls, value: str) -> str:
        if value not in PROFILE_NAMES:
            raise ValueError(f"unknown profile; known: {', '.join(PROFILE_NAMES)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        schedule_interval(value)
        return value

    @property
    def interval(self) -> timedelta | None:
        """How often the node is due (None: only when asked for)."""
        return schedule_interval(self.schedule)

    def http_policy(self) -> HttpPolicy:
        """The request limits for this node, with its credentials read from the environment."""
        headers: dict[str, str] = {}
        if self.credentials_env:
            secret = os.environ.get(self.credentials_env)
            if not secret:
                raise InputError(
                    f"node {self.id}: the environment variable {self.credentials_env} "
                    "holding its credentials is not set"
                )
            scheme = f"{self.credentials_scheme} " if self.credentials_scheme else ""
            headers[self.credentials_header] = scheme + secret
        return HttpPolicy(
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            headers=headers,
            allow_private=self.private,
        )

    def source(
        self, limits: ParseLimits = DEFAULT_LIMITS, *, parser: PageParser | None = None
    ) -> Source:
        """The crawler of this node, parsing what it reads under ``limits``; a DCAT document
        or feed, a SPARQL endpoint's batches and a FAIR Data Point's datasets are parsed into
        records by ``parser`` when one is given."""
        if self.kind == "fdp":
            return FdpSource(
                self.url,
                self.published_base,
                max_pages=self.max_pages,
                limits=limits,
                parser=parser,
                concurrency=self.concurrency,
            )
        if self.kind in ("dcat", "feed"):
            return DcatSource(self.url, max_pages=self.max_pages, limits=limits, parser=parser)
        if self.kind == "sparql":
            return SparqlSource(self.url, max_pages=self.max_pages, limits=limits, parser=parser)
        return BeaconSource(self.url, limits=limits)


def schedule_interval(value: str) -> timedelta | None:
    """``manual`` -> None; ``hourly``/``daily``/``weekly``, ``every 6h``, ``PT6H`` -> a period."""
    text = value.strip().lower()
    if text == "manual":
        return None
    if text in _NAMED:
        return _NAMED[text]
    match = _EVERY.match(text)
    if match:
        n, unit = int(match.group(1)), match.group(2)
        period = {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[unit]
    else:
        iso = _ISO.match(value.strip().upper())
        if not iso or not any(iso.groups()):
            raise ValueError(
                "use manual, hourly, daily, weekly, 'every <n>m|h|d' or an ISO 8601 "
                "duration such as PT6H"
            )
        days, hours, minutes = (int(g) if g else 0 for g in iso.groups())
        period = timedelta(days=days, hours=hours, minutes=minutes)
    if period <= timedelta(0):
        raise ValueError("the period must be positive")
    return period


def load_registry(path: Path) -> list[NodeConfig]:
    """The nodes of a registry file (TOML, or YAML by extension); errors name node and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(
            f"cannot read the node registry: {e.strerror or e}", SourceLocation(str(path))
        ) from e
    return parse_registry(text, source=str(path), yaml_format=path.suffix in (".yaml", ".yml"))


def parse_registry(
    text: str, *, source: str = "<registry>", yaml_format: bool = False
) -> list[NodeConfig]:
    try:
        data: Any = yaml.load(text, _YamlLoader) if yaml_format else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
        raise InputError(f"not a valid registry file: {e}", SourceLocation(source)) from e
    if not isinstance(data, dict):
        raise InputError(
            "the registry must be a table with [[node]] entries", SourceLocation(source)
        )
    unknown = set(data) - {"node", "defaults"}
    if unknown:
        raise InputError(
            f"unknown top-level key(s) {', '.join(sorted(unknown))}; use [defaults] and [[node]]",
            SourceLocation(source),
        )
    defaults = data.get("defaults") or {}
    entries = data.get("node") or []
    if not isinstance(defaults, dict) or not isinstance(entries, list):
        raise InputError(
            "[defaults] must be a table and [[node]] a list of tables", SourceLocation(source)
        )
    nodes: list[NodeConfig] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"node #{index} is not a table", SourceLocation(source))
        label = f"node {entry.get('id', f'#{index}')!s}"
        try:
            node = NodeConfig.model_validate({**defaults, **entry})
        except ValidationError as e:
            raise InputError(f"{label}: {_pydantic_message(e)}", SourceLocation(source)) from None
        if node.id in seen:
            raise InputError(f"{label}: the id is used twice", SourceLocation(source))
        seen.add(node.id)
        nodes.append(node)
    return nodes


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.2 booleans (only ``true``/``false``): ``id: no``, Norway's node, stays a string."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def select_nodes(nodes: Sequence[NodeConfig], names: Sequence[str]) -> list[NodeConfig]:
    """The nodes named (all enabled nodes when none is named); an unknown name is an error."""
    if not names:
        return [n for n in nodes if n.enabled]
    by_id = {n.id: n for n in nodes}
    unknown = [name for name in names if name not in by_id]
    if unknown:
        known = ", ".join(sorted(by_id)) or "none"
        raise InputError(f"unknown node(s) {', '.join(unknown)} (the registry has: {known})")
    return [by_id[name] for name in names]


def _pydantic_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "entry"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "missing":
            message = "is required"
        elif item["type"] == "value_error" and "error" in item.get("ctx", {}):
            message = str(item["ctx"]["error"])  # without pydantic's "Value error, " prefix
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
