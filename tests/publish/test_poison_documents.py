"""Acceptance (issue 12, cases 1, 2, 7, 8): a steward PUTs each hostile document to a real
``gdcat serve`` under a memory cap. Each answer is a 4xx problem naming the limit; the server
stays up, answers another client promptly, and never goes past the cap."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from capped_gdcat import ANSWERED_WITHIN, CappedGdcat, start_capped_gdcat
from hostile_documents import Hostile, corpus, nested_blank_nodes

IRI = "https://example.org/poison"
MEDIA_TYPES = {
    "rdfxml": "application/rdf+xml",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "yaml": "application/yaml",
}


def put(server: CappedGdcat, body: bytes, fmt: str) -> tuple[int, dict[str, Any]]:
    query = urllib.parse.urlencode({"iri": IRI})
    request = urllib.request.Request(
        f"{server.url}/api/nodes/nl/datasets?{query}",
        data=body,
        method="PUT",
        headers={
            "Authorization": f"Bearer {server.tokens['nl']}",
            "Content-Type": MEDIA_TYPES[fmt],
            "Accept": "application/problem+json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return int(e.code), json.loads(e.read() or b"{}")


def answers_within_a_second(server: CappedGdcat) -> None:
    started = time.monotonic()
    assert server.get("/api/datasets", timeout=5) == 200
    assert time.monotonic() - started < ANSWERED_WITHIN, "another client waited too long"


def check_refusal(hostile: Hostile, status: int, problem: dict[str, Any]) -> None:
    assert status == hostile.status, (hostile.name, status, problem)
    assert hostile.names in problem["detail"], (hostile.name, problem)
    if status in (413, 422):
        assert problem["limit"]["setting"] == hostile.names
        assert f"GDCAT_{hostile.names.upper()}" in problem["detail"]
    assert problem["location"]["source"] == "request body"


def test_each_poison_document_is_refused_and_the_server_stays_up(tmp_path: Path) -> None:
    with start_capped_gdcat(tmp_path, token_nodes=("nl",)) as server:
        for hostile in corpus(IRI):
            status, problem = put(server, hostile.data, hostile.fmt)
            check_refusal(hostile, status, problem)
            answers_within_a_second(server)
        server.assert_healthy()


def test_two_nested_blank_node_bodies_at_once_leave_the_server_answering(tmp_path: Path) -> None:
    body = nested_blank_nodes(2_000_000)  # 14 MB, under the size limit
    outcomes: list[tuple[int, dict[str, Any]]] = []

    def attack() -> None:
        outcomes.append(put(server, body, "turtle"))

    with start_capped_gdcat(tmp_path, token_nodes=("nl",)) as server:
        attackers = [threading.Thread(target=attack) for _ in range(2)]
        for thread in attackers:
            thread.start()
        answers_within_a_second(server)
        for thread in attackers:
            thread.join(120)
        assert [status for status, _ in outcomes] == [422, 422]
        for _, problem in outcomes:
            assert problem["limit"] == {"setting": "max_nesting_depth", "value": 64}
            assert "GDCAT_MAX_NESTING_DEPTH" in problem["detail"]
        answers_within_a_second(server)
        server.assert_healthy()
