"""The node registry: TOML and YAML, mistakes named by node and field, schedules, and
credentials read from the environment and sent to the node (a real server on 127.0.0.1)."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from local_http import loopback_server, serving

from gdcat.errors import InputError
from gdcat.harvest import Harvester, load_registry, parse_registry, select_nodes
from gdcat.harvest.registry import NodeConfig, schedule_interval
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"

TOML = """
[defaults]
profile = "gdi"
policy = "accept"
timeout = 10
max_shrink = 0.5

[[node]]
id = "nl"
name = "Netherlands node"
country = "NLD"
kind = "fdp"
url = "https://fdp.example.nl/"
published_base = "https://fdp.example.nl/"
schedule = "daily"
credentials_env = "GDCAT_NL_TOKEN"

[[node]]
id = "de"
country = "DEU"
kind = "feed"
url = "https://data.example.de/feed"
profile = "gdcat"
schedule = "every 6h"
crosswalks = ["gdi-healthdcat"]
enabled = false
"""

YAML = """
defaults:
  profile: gdi
  policy: accept
  timeout: 10
  max_shrink: 0.5
node:
  - id: nl
    name: Netherlands node
    country: NLD
    kind: fdp
    url: https://fdp.example.nl/
    published_base: https://fdp.example.nl/
    schedule: daily
    credentials_env: GDCAT_NL_TOKEN
  - id: de
    country: DEU
    kind: feed
    url: https://data.example.de/feed
    profile: gdcat
    schedule: every 6h
    crosswalks: [gdi-healthdcat]
    enabled: false
"""

GOOD = '[[node]]\nid = "nl"\ncountry = "NLD"\nkind = "fdp"\nurl = "https://fdp.example.nl/"\n'


# -- parsing ----------------------------------------------------------------------------


def _check_example(nodes: list[NodeConfig]) -> None:
    nl, de = nodes
    assert (nl.id, nl.kind, nl.country, nl.name) == ("nl", "fdp", "NLD", "Netherlands node")
    assert nl.url == nl.published_base == "https://fdp.example.nl/"
    # the defaults are inherited, and a node's own value wins over them
    assert (nl.profile, nl.policy, nl.timeout, nl.max_shrink) == ("gdi", "accept", 10, 0.5)
    assert de.profile == "gdcat" and de.policy == "accept"
    assert nl.interval == timedelta(days=1) and de.interval == timedelta(hours=6)
    assert nl.credentials_env == "GDCAT_NL_TOKEN" and de.credentials_env is None
    assert de.crosswalks == ("gdi-healthdcat",) and not de.enabled
    # defaults of the model itself
    assert (nl.retries, nl.max_redirects, nl.credentials_header) == (2, 5, "Authorization")


def test_a_toml_registry_parses() -> None:
    _check_example(parse_registry(TOML))


def test_a_yaml_registry_parses_the_same() -> None:
    assert parse_registry(YAML, yaml_format=True) == parse_registry(TOML)


def test_yaml_no_is_norway_not_false() -> None:
    """YAML 1.1 reads a bare ``no`` as false; the registry reads YAML 1.2 booleans only."""
    text = "node:\n  - {id: no, country: NOR, kind: dcat, url: 'https://x/', enabled: yes}\n"
    (node,) = parse_registry(text, yaml_format=True)
    assert node.id == "no" and node.enabled is True


def test_load_registry_reads_toml_or_yaml_by_extension(tmp_path: Path) -> None:
    (tmp_path / "nodes.toml").write_text(TOML)
    (tmp_path / "nodes.yaml").write_text(YAML)
    (tmp_path / "nodes.yml").write_text(YAML)
    for name in ("nodes.toml", "nodes.yaml", "nodes.yml"):
        _check_example(load_registry(tmp_path / name))


def test_an_unreadable_or_malformed_registry_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(InputError, match="cannot read the node registry") as e:
        load_registry(missing)
    assert str(missing) in str(e.value)
    broken = tmp_path / "broken.toml"
    broken.write_text('[[node]]\nid = "nl\n')
    with pytest.raises(InputError, match="not a valid registry file") as e:
        load_registry(broken)
    assert str(broken) in str(e.value)
    with pytest.raises(InputError, match=r"unknown top-level key.*nodes"):
        parse_registry('[[nodes]]\nid = "nl"\n')
    with pytest.raises(InputError, match=r"\[\[node\]\] a list of tables"):
        parse_registry('[node]\nid = "nl"\n')


def test_an_empty_registry_has_no_nodes() -> None:
    assert parse_registry("") == []


@pytest.mark.parametrize(
    ("text", "node", "field", "says"),
    [
        (GOOD + 'colour = "red"\n', "nl", "colour", "unknown field"),
        (GOOD.replace('"fdp"', '"ftp"'), "nl", "kind", "'fdp', 'dcat', 'feed', 'sparql'"),
        (GOOD.replace('"NLD"', '"XX"'), "nl", "country", "'XX' is not a known country code"),
        (GOOD.replace('"NLD"', '"NLX"'), "nl", "country", "alpha-2 code (NL)"),
        (GOOD.replace('"NLD"', '"Netherlands"'), "nl", "country", "alpha-3 code (NLD)"),
        (GOOD + 'schedule = "sometimes"\n', "nl", "schedule", "PT6H"),
        (GOOD + 'schedule = "every 0h"\n', "nl", "schedule", "must be positive"),
        (GOOD + 'profile = "nope"\n', "nl", "profile", "unknown profile; known: gdcat"),
        (GOOD + 'policy = "maybe"\n', "nl", "policy", "'reject' or 'accept'"),
        (GOOD + "max_shrink = 2\n", "nl", "max_shrink", "less than or equal to 1"),
        (GOOD + "timeout = 0\n", "nl", "timeout", "greater than 0"),
        (GOOD + 'crosswalks = ["magic"]\n', "nl", "crosswalks.0", "gdi-healthdcat"),
        (GOOD.replace('url = "https://fdp.example.nl/"\n', ""), "nl", "url", "is required"),
        (GOOD.replace('"https://fdp.example.nl/"', '"ftp://x/"'), "nl", "url", "http(s)://"),
        (GOOD.replace('kind = "fdp"\n', ""), "nl", "kind", "is required"),
        (GOOD.replace('id = "nl"', 'id = "NL node"'), "NL node", "id", "lower-case"),
        (GOOD.replace('id = "nl"\n', ""), "#2", "id", "is required"),
    ],
)
def test_every_mistake_names_the_node_and_the_field(
    text: str, node: str, field: str, says: str
) -> None:
    other = '[[node]]\nid = "be"\nkind = "dcat"\nurl = "https://be.example/catalog.ttl"\n\n'
    with pytest.raises(InputError) as e:
        parse_registry(other + text, source="nodes.toml")
    message = str(e.value)
    assert message.startswith(f"nodes.toml: node {node}: {field}: "), message
    assert says in message
    assert "Value error" not in message  # pydantic's wording stays out of the operator's way


@pytest.mark.parametrize(
    ("written", "kept"),
    [("NLD", "NLD"), ("NL", "NLD"), ("nl", "NLD"), ("nld", "NLD"), ("GR", "GRC"), ("EL", "GRC")],
)
def test_a_country_is_read_as_alpha_3_or_alpha_2_and_kept_as_alpha_3(
    written: str, kept: str
) -> None:
    (node,) = parse_registry(GOOD.replace('"NLD"', f'"{written}"'))
    assert node.country == kept


def test_a_registry_file_with_alpha_2_codes_loads_and_an_unknown_code_names_file_and_node(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nodes.yaml"
    path.write_text("node:\n  - {id: de, country: de, kind: dcat, url: 'https://x.example/'}\n")
    assert [n.country for n in load_registry(path)] == ["DEU"]
    path.write_text("node:\n  - {id: xx, country: QQ, kind: dcat, url: 'https://x.example/'}\n")
    with pytest.raises(InputError) as e:
        load_registry(path)
    assert str(e.value).startswith(f"{path}: node xx: country: 'QQ' is not a known country code")


def test_a_bad_default_is_named_for_the_node_that_inherits_it() -> None:
    with pytest.raises(InputError, match="node nl: profile: unknown profile"):
        parse_registry('[defaults]\nprofile = "nope"\n\n' + GOOD)


def test_a_duplicate_id_is_refused() -> None:
    with pytest.raises(InputError, match="node nl: the id is used twice"):
        parse_registry(GOOD + "\n" + GOOD.replace("NLD", "BEL"))


def test_a_yaml_mistake_names_the_node_and_the_field_too() -> None:
    with pytest.raises(InputError, match="node nl: colour: unknown field"):
        parse_registry(YAML.replace("    schedule: daily\n", "    colour: red\n"), yaml_format=True)


def test_select_nodes_by_name_and_unknown_names() -> None:
    nodes = parse_registry(TOML)
    assert [n.id for n in select_nodes(nodes, [])] == ["nl"]  # "de" is disabled
    assert [n.id for n in select_nodes(nodes, ["de"])] == ["de"]  # unless asked for by name
    with pytest.raises(InputError, match=r"unknown node\(s\) xx \(the registry has: de, nl\)"):
        select_nodes(nodes, ["nl", "xx"])


# -- schedules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "period"),
    [
        ("manual", None),
        ("hourly", timedelta(hours=1)),
        ("daily", timedelta(days=1)),
        ("weekly", timedelta(weeks=1)),
        ("every 6h", timedelta(hours=6)),
        ("every 30m", timedelta(minutes=30)),
        ("every 2d", timedelta(days=2)),
        ("  Every 6H ", timedelta(hours=6)),
        ("PT6H", timedelta(hours=6)),
        ("pt6h", timedelta(hours=6)),
        ("PT90M", timedelta(minutes=90)),
        ("P1D", timedelta(days=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
    ],
)
def test_schedule_interval(value: str, period: timedelta | None) -> None:
    assert schedule_interval(value) == period


@pytest.mark.parametrize(
    "value",
    ["", "sometimes", "6h", "every h", "every 6w", "P", "PT", "P1DT", "PT0H", "every 0m", "1D"],
)
def test_a_bad_schedule_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"manual, hourly|must be positive"):
        schedule_interval(value)


# -- credentials ------------------------------------------------------------------------


@dataclass
class HeaderServer:
    """A real HTTP server answering every GET with an empty DCAT catalogue, remembering the
    headers of each request by path."""

    url: str
    headers: dict[str, list[dict[str, str]]] = field(default_factory=dict)


@pytest.fixture
def header_server() -> Iterator[HeaderServer]:
    seen: dict[str, list[dict[str, str]]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.setdefault(self.path, []).append(dict(self.headers.items()))
            body = (
                "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                f"<https://catalogue.example{self.path}> a dcat:Catalog .\n"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(loopback_server(Handler)) as url:
        yield HeaderServer(url, seen)


def test_credentials_are_sent_and_a_missing_variable_fails_only_its_node(
    header_server: HeaderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDCAT_TEST_TOKEN", "s3cr3t-token")
    monkeypatch.setenv("GDCAT_TEST_KEY", "k3y")
    monkeypatch.delenv("GDCAT_TEST_ABSENT", raising=False)
    url = header_server.url
    nodes = parse_registry(
        f"""
[defaults]
private = true

[[node]]
id = "bearer"
kind = "dcat"
url = "{url}/bearer.ttl"
credentials_env = "GDCAT_TEST_TOKEN"

[[node]]
id = "apikey"
kind = "dcat"
url = "{url}/apikey.ttl"
credentials_env = "GDCAT_TEST_KEY"
credentials_header = "X-Api-Key"
credentials_scheme = ""

[[node]]
id = "missing"
kind = "dcat"
url = "{url}/missing.ttl"
credentials_env = "GDCAT_TEST_ABSENT"

[[node]]
id = "open"
kind = "dcat"
url = "{url}/open.ttl"
"""
    )
    with (
        OxigraphStore(None, BASE) as store,
        Harvester(store, Settings(validation_workers=1)) as harvester,
    ):
        report = harvester.run(nodes)

    by_node = {n.node: n for n in report.nodes}
    (bearer,) = header_server.headers["/bearer.ttl"]
    assert bearer["Authorization"] == "Bearer s3cr3t-token"
    (apikey,) = header_server.headers["/apikey.ttl"]
    assert apikey["X-Api-Key"] == "k3y" and "Authorization" not in apikey
    (open_,) = header_server.headers["/open.ttl"]
    assert "Authorization" not in open_
    # the node whose variable is not set fails before anything is fetched, saying which
    assert "/missing.ttl" not in header_server.headers
    missing = by_node["missing"]
    assert missing.status == "failed"
    assert any("GDCAT_TEST_ABSENT" in reason for reason in missing.reasons), missing.reasons
    # ... and the other nodes of the run complete
    assert {n: r.status for n, r in by_node.items() if n != "missing"} == dict.fromkeys(
        ("bearer", "apikey", "open"), "complete"
    )
    assert report.status == "partial"
    # secrets never reach the report
    assert "s3cr3t-token" not in report.to_json_text() and "k3y" not in report.to_text()


def test_an_empty_variable_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDCAT_TEST_EMPTY", "")
    (node,) = parse_registry(GOOD + 'credentials_env = "GDCAT_TEST_EMPTY"\n')
    with pytest.raises(InputError, match="node nl: the environment variable GDCAT_TEST_EMPTY"):
        node.http_policy()
