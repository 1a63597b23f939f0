"""``POST /api/nodes/{node}/datasets``: every dataset of a document, all or none, over HTTP
(a real gdcat on a free port, no demo federation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from live_gdcat import LiveGdcat, start_gdcat

from gdcat.publish import TokenFile

VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
NAMES = ("es-clinical-exomes-not-shareable", "de-long-read-genomes")


@dataclass
class Node:
    live: LiveGdcat
    nl: str
    be: str

    def post(self, node: str, body: bytes, media: str, token: str | None) -> httpx.Response:
        headers = {"Content-Type": media}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(
            f"{self.live.url}/api/nodes/{node}/datasets", content=body, headers=headers, timeout=60
        )


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp = tmp_path_factory.mktemp("post")
    with start_gdcat(tmp, datasets=None) as live:
        tokens = TokenFile(live.settings.tokens_file)
        _, nl = tokens.create("nl", country="NLD")
        _, be = tokens.create("be")
        yield Node(live, nl, be)


def documents() -> list[dict[str, object]]:
    return [yaml.safe_load((VALID / f"{name}.yaml").read_text()) for name in NAMES]


def body(items: list[dict[str, object]]) -> bytes:
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=False).encode()


def test_a_refused_record_refuses_the_document_with_its_report(node: Node) -> None:
    items = documents()
    items[0]["sequencing_type"] = "NANOPORE"
    answer = node.post("nl", body(items), "application/yaml", node.nl)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("/document-refused") and problem["records"] == 2
    (refused,) = problem["refused"]
    assert refused["dataset"] == items[0]["id"] and refused["outcome"] == "refused"
    paths = [r["path"] for r in refused["report"]["results"] if r["severity"] == "Violation"]
    assert set(paths) == {"sequencing_type"}
    for item in items:
        assert node.live.store.catalog_record(str(item["id"])) is None


def test_a_document_is_published_whole(node: Node) -> None:
    items = documents()
    answer = node.post("nl", body(items), "application/yaml; charset=utf-8", node.nl)
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["node"] == "nl" and out["total"] == 2
    assert sorted(i["dataset"] for i in out["items"]) == sorted(str(i["id"]) for i in items)
    for item in out["items"]:
        served = httpx.get(item["location"], headers={"Accept": "text/turtle"})
        assert served.status_code == 200 and item["dataset"] in served.text


def test_credentials_are_checked_as_for_put(node: Node) -> None:
    data = body(documents())
    assert node.post("nl", data, "application/yaml", None).status_code == 401
    assert node.post("nl", data, "application/yaml", "not-a-token").status_code == 401
    forbidden = node.post("nl", data, "application/yaml", node.be)
    assert forbidden.status_code == 403 and "not node nl" in forbidden.json()["detail"]
    assert node.post("nl", data, "application/x-unknown", node.nl).status_code == 415


def test_the_route_is_documented(node: Node) -> None:
    spec = httpx.get(f"{node.live.url}/openapi.json").json()
    post = spec["paths"]["/api/nodes/{node}/datasets"]["post"]
    assert {"201", "401", "403", "415", "422"} <= set(post["responses"])
    assert "text/csv" in post["requestBody"]["content"]
