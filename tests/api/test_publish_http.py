"""Stewards publish over HTTP: each node writes only its own datasets, in any RDF format or
steward YAML, validated on write, every attempt in the audit trail.

One gdcat per module (the demo federation harvested into it, a small body limit, an admin
token); each test writes its own datasets, so the order of the tests does not matter.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from gdcat.publish import TokenFile, is_published_source
from gdcat.rdf import parse_file, split_records
from gdcat.store import record_iri

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
ADMIN = "admin-secret-for-tests"
LIMIT = 64_000


@dataclass
class Stewards:
    live: LiveGdcat
    tokens: TokenFile
    nl: str
    be: str
    nl_id: str
    be_id: str

    def headers(self, token: str, media: str | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {token}"}
        if media:
            out["Content-Type"] = media
        return out

    def put(self, node: str, iri: str, body: bytes, media: str, token: str) -> httpx.Response:
        return httpx.put(
            f"{self.live.url}/api/nodes/{node}/datasets",
            params={"iri": iri},
            content=body,
            headers=self.headers(token, media),
            timeout=60,
        )

    def delete(self, node: str, iri: str, token: str) -> httpx.Response:
        return httpx.delete(
            f"{self.live.url}/api/nodes/{node}/datasets",
            params={"iri": iri},
            headers=self.headers(token),
            timeout=60,
        )

    def audit(self, token: str | None = None, **params: str) -> list[dict[str, object]]:
        headers = self.headers(token) if token else {}
        r = httpx.get(f"{self.live.url}/api/audit", params=params, headers=headers)
        assert r.status_code == 200, r.text
        items: list[dict[str, object]] = r.json()["items"]
        return items


@pytest.fixture(scope="module")
def stewards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stewards]:
    tmp = tmp_path_factory.mktemp("publish")
    with start_gdcat(tmp, admin_token=ADMIN, max_document_bytes=LIMIT) as live:
        tokens = TokenFile(live.settings.tokens_file)
        nl, nl_secret = tokens.create("nl", country="NLD", label="NL data steward")
        be, be_secret = tokens.create("be", country="BEL")
        yield Stewards(live, tokens, nl_secret, be_secret, nl.id, be.id)


def first_record(live: LiveGdcat, node: str) -> str:
    return sorted(live.store.record_sources(node))[0]


def turtle_of(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode("utf-8")


def example_record(name: str) -> tuple[str, Graph]:
    record = split_records(parse_file(VALID / name))[0]
    return record.iri, record.graph


# -- one node never writes another's ------------------------------------------------------


def test_a_token_of_one_node_cannot_write_replace_or_delete_another_nodes_records(
    stewards: Stewards,
) -> None:
    live = stewards.live
    theirs = first_record(live, "be")
    before = live.store.get_record(theirs)
    catalogue_before = live.store.catalog_record(theirs)
    assert before is not None and catalogue_before is not None
    changed = Graph()
    for triple in before:
        changed.add(triple)
    changed.set((URIRef(theirs), DCTERMS.title, Literal("Taken over by nl", lang="en")))
    body = turtle_of(changed)

    attempts = [
        # replace B's record under A's own node
        stewards.put("nl", theirs, body, "text/turtle", stewards.nl),
        # write under B's node with A's token
        stewards.put("be", theirs, body, "text/turtle", stewards.nl),
        # create a new dataset under B's node with A's token
        stewards.put(
            "be", "https://fdp.be.demo.gdcat.eu/dataset/new", body, "text/turtle", stewards.nl
        ),
        # delete B's record, both ways
        stewards.delete("nl", theirs, stewards.nl),
        stewards.delete("be", theirs, stewards.nl),
    ]

    assert [r.status_code for r in attempts] == [403] * 5
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in attempts)
    after = live.store.get_record(theirs)
    assert after is not None and isomorphic(after, before)
    catalogue_after = live.store.catalog_record(theirs)
    assert catalogue_after == catalogue_before
    forbidden = [e for e in stewards.audit(ADMIN, node="nl") if e["outcome"] == "forbidden"]
    assert len(forbidden) >= 5
    assert [e["status"] for e in forbidden[:5]] == [403] * 5
    assert {e["action"] for e in forbidden[:5]} == {"put", "delete"}
    assert all(e["token_id"] == stewards.nl_id for e in forbidden[:5])


def test_a_node_cannot_take_over_an_iri_another_node_withdrew(stewards: Stewards) -> None:
    iri, graph = example_record("ee-biobank-genotyping-arrays.ttl")
    assert stewards.put("be", iri, turtle_of(graph), "text/turtle", stewards.be).status_code == 201
    assert stewards.delete("be", iri, stewards.be).status_code == 204
    r = stewards.put("nl", iri, turtle_of(graph), "text/turtle", stewards.nl)
    assert r.status_code == 403
    assert "withdrawn" in r.json()["detail"] and "node be" in r.json()["detail"]
    # the node that withdrew it may publish it again
    assert stewards.put("be", iri, turtle_of(graph), "text/turtle", stewards.be).status_code == 201


# -- accepted writes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media", "render"),
    [
        ("fi-cardiomyopathy-gene-panel.ttl", "text/turtle", "turtle"),
        ("de-long-read-genomes.ttl", "application/ld+json", "json-ld"),
        ("pt-paediatric-exomes.ttl", "application/rdf+xml", "xml"),
        ("it-tumour-rnaseq.ttl", "application/n-triples", "nt"),
        ("nl-rare-disease-wgs.yaml", "application/yaml", None),
    ],
)
def test_a_dataset_published_in_any_format_is_stored_as_sent(
    stewards: Stewards, name: str, media: str, render: str | None
) -> None:
    live = stewards.live
    iri, sent = example_record(name)
    body = (VALID / name).read_bytes() if render is None else sent.serialize(format=render).encode()

    r = stewards.put("nl", iri, body, media, stewards.nl)

    assert r.status_code == 201, r.text
    key = record_iri(live.base, iri).rsplit("/", 1)[-1]
    assert r.headers["location"] == f"{live.base}dataset/{key}"
    result = r.json()
    assert result["status"] == "created" and result["node"] == "nl" and result["key"] == key
    assert result["outcome"] in ("conforms", "warnings")
    assert all(w["severity"] != "Violation" for w in result["warnings"])
    stored = live.store.get_record(iri)
    assert stored is not None and isomorphic(stored, sent)
    catalogue = live.store.catalog_record(iri)
    assert catalogue is not None and catalogue.meta.node == "nl"
    assert catalogue.meta.country == "http://publications.europa.eu/resource/authority/country/NLD"
    assert is_published_source(live.base, catalogue.meta.source)
    entry = stewards.audit(stewards.nl, dataset=iri)[0]
    assert (entry["action"], entry["outcome"], entry["status"]) == ("put", "created", 201)
    assert entry["id"] == result["audit"]


def test_replacing_a_harvested_record_of_ones_own_node_answers_200(stewards: Stewards) -> None:
    live = stewards.live
    ours = first_record(live, "nl")
    graph = live.store.get_record(ours)
    assert graph is not None
    graph.set((URIRef(ours), DCTERMS.title, Literal("Corrected by the steward", lang="en")))
    before = live.store.record_sources("nl")

    r = stewards.put("nl", ours, turtle_of(graph), "text/turtle", stewards.nl)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "replaced" and "location" not in r.headers
    stored = live.store.get_record(ours)
    assert stored is not None
    titles = set(stored.objects(URIRef(ours), DCTERMS.title))
    assert Literal("Corrected by the steward", lang="en") in titles
    # nothing else of the node was touched
    after = live.store.record_sources("nl")
    assert set(after) == set(before)
    assert {i: s for i, s in after.items() if i != ours} == {
        i: s for i, s in before.items() if i != ours
    }


# -- refused writes -----------------------------------------------------------------------


def test_a_record_with_violations_is_refused_with_the_report_and_nothing_changes(
    stewards: Stewards,
) -> None:
    live = stewards.live
    iri, graph = example_record("fr-cancer-wgs-tumour-normal.ttl")
    assert stewards.put("nl", iri, turtle_of(graph), "text/turtle", stewards.nl).status_code == 201
    before = live.store.get_record(iri)
    catalogue_before = live.store.catalog_record(iri)
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((URIRef(iri), DCTERMS.title, None))

    r = stewards.put("nl", iri, turtle_of(broken), "text/turtle", stewards.nl)

    assert r.status_code == 422
    problem = r.json()
    assert problem["report"]["conforms"] is False
    violations = [x for x in problem["report"]["results"] if x["severity"] == "Violation"]
    assert "title" in {v["path"] for v in violations}
    assert "title" in problem["detail"]
    after = live.store.get_record(iri)
    assert before is not None and after is not None and isomorphic(after, before)
    assert live.store.catalog_record(iri) == catalogue_before
    entry = stewards.audit(stewards.nl, dataset=iri)[0]
    assert (entry["outcome"], entry["status"]) == ("refused", 422)


def test_a_new_record_with_violations_is_not_stored(stewards: Stewards) -> None:
    body = (ROOT / "model" / "examples" / "invalid" / "missing-title.yaml").read_bytes()
    iri = "https://nl.gdcat.example/dataset/missing-title"
    r = stewards.put("nl", iri, body, "application/yaml", stewards.nl)
    assert r.status_code == 422
    assert "title" in {x["path"] for x in r.json()["report"]["results"]}
    assert stewards.live.store.catalog_record(iri) is None


def test_malformed_turtle_is_a_400_naming_the_line(stewards: Stewards) -> None:
    body = (
        b"@prefix dct: <http://purl.org/dc/terms/> .\n"
        b"\n"
        b'<https://x.example/d> dct:title "a" ;\n'
        b"  dct:oops .\n"
    )
    r = stewards.put("nl", "https://x.example/d", body, "text/turtle", stewards.nl)
    assert r.status_code == 400
    problem = r.json()
    assert problem["location"]["line"] == 4
    assert "Turtle" in problem["detail"]
    entry = stewards.audit(stewards.nl, dataset="https://x.example/d")[0]
    assert (entry["outcome"], entry["status"]) == ("unusable", 400)


def test_a_body_over_the_limit_is_a_413(stewards: Stewards) -> None:
    iri = "https://nl.gdcat.example/dataset/huge"
    huge = b"# " + b"x" * (LIMIT + 10) + b"\n"
    declared = stewards.put("nl", iri, huge, "text/turtle", stewards.nl)
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        for _ in range(LIMIT // 1000 + 10):
            yield b"#" + b"x" * 998 + b"\n"

    streamed = httpx.put(
        f"{stewards.live.url}/api/nodes/nl/datasets",
        params={"iri": iri},
        content=chunks(),
        headers=stewards.headers(stewards.nl, "text/turtle"),
        timeout=60,
    )
    assert streamed.status_code == 413
    assert stewards.live.store.catalog_record(iri) is None
    outcomes = [e["status"] for e in stewards.audit(stewards.nl, dataset=iri)]
    assert outcomes == [413, 413]


@pytest.mark.parametrize(
    ("name", "iri", "expected"),
    [
        # the body describes another dataset than the IRI named
        ("de-long-read-genomes.ttl", "https://de.gdcat.example/dataset/other", "exactly"),
        # the body describes three records
        (
            "be-rare-disease-wes-series.ttl",
            "https://be.gdcat.example/dataset/rare-disease-exomes-2023",
            "exactly",
        ),
    ],
)
def test_the_body_must_describe_exactly_the_dataset_named(
    stewards: Stewards, name: str, iri: str, expected: str
) -> None:
    r = stewards.put("nl", iri, (VALID / name).read_bytes(), "text/turtle", stewards.nl)
    assert r.status_code == 400
    assert expected in r.json()["detail"]
    assert stewards.live.store.catalog_record(iri) is None


def fresh_record(name: str, iri: str) -> tuple[str, Graph]:
    """An example record as the dataset ``iri`` (which no other test writes)."""
    old, graph = example_record(name)
    out = Graph()
    for s, p, o in graph:
        out.add((URIRef(iri) if s == URIRef(old) else s, p, URIRef(iri) if o == URIRef(old) else o))
    return iri, out


def sparql_ask(live: LiveGdcat, query: str) -> bool:
    r = httpx.post(
        f"{live.url}/sparql",
        content=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    answer: bool = r.json()["boolean"]
    return answer


def test_a_body_may_not_describe_gdcats_own_iris(stewards: Stewards) -> None:
    live = stewards.live
    iri, graph = fresh_record("pt-paediatric-exomes.ttl", "https://nl.gdcat.example/dataset/s1")
    theirs = first_record(live, "be")
    record = record_iri(live.base, theirs)
    deleted = "http://purl.org/adms/changetype/deleted"
    body = (
        turtle_of(graph)
        + (
            f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{record}> .\n"
            f"<{record}> <http://www.w3.org/ns/adms#status> <{deleted}> .\n"
        ).encode()
    )

    r = stewards.put("nl", iri, body, "text/turtle", stewards.nl)

    assert r.status_code == 400, r.text
    assert r.json()["type"].endswith("/bad-input")
    assert record in r.json()["detail"] and "base IRI" in r.json()["detail"]
    assert live.store.catalog_record(iri) is None
    assert not sparql_ask(live, f"ASK {{ <{record}> ?p <{deleted}> }}")
    entry = stewards.audit(dataset=iri)[0]
    assert (entry["outcome"], entry["status"]) == ("unusable", 400)


def test_a_body_may_not_describe_a_dataset_another_record_is_about(stewards: Stewards) -> None:
    live = stewards.live
    iri, graph = fresh_record("it-tumour-rnaseq.ttl", "https://nl.gdcat.example/dataset/s2")
    theirs = first_record(live, "be")
    body = (
        turtle_of(graph)
        + (
            f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{theirs}> .\n"
            f'<{theirs}> <http://purl.org/dc/terms/title> "Taken over by nl"@en .\n'
        ).encode()
    )

    r = stewards.put("nl", iri, body, "text/turtle", stewards.nl)

    assert r.status_code == 400, r.text
    assert theirs in r.json()["detail"]
    assert live.store.catalog_record(iri) is None
    assert not sparql_ask(live, f'ASK {{ <{theirs}> ?p "Taken over by nl"@en }}')
    # linking to the other dataset, without describing it, is fine
    linked = (
        turtle_of(graph)
        + (f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{theirs}> .\n").encode()
    )
    assert stewards.put("nl", iri, linked, "text/turtle", stewards.nl).status_code == 201


def test_unusable_requests_are_4xx_problems(stewards: Stewards) -> None:
    iri, graph = example_record("es-clinical-exomes-not-shareable.ttl")
    body = turtle_of(graph)
    assert stewards.put("nl", iri, body, "application/pdf", stewards.nl).status_code == 415
    under_base = f"{stewards.live.base}dataset/mine"
    assert stewards.put("nl", under_base, body, "text/turtle", stewards.nl).status_code == 400
    assert stewards.put("nl", "not an iri", body, "text/turtle", stewards.nl).status_code == 422
    assert stewards.put("nl", "urn:x:1", body, "text/turtle", stewards.nl).status_code == 422
    assert stewards.put("NL!", iri, body, "text/turtle", stewards.nl).status_code == 422
    assert stewards.live.store.catalog_record(iri) is None


# -- delete -------------------------------------------------------------------------------


def test_delete_withdraws_the_record_and_leaves_a_tombstone(stewards: Stewards) -> None:
    live = stewards.live
    iri, graph = example_record("se-allele-frequencies-beacon.ttl")
    assert stewards.put("nl", iri, turtle_of(graph), "text/turtle", stewards.nl).status_code == 201

    r = stewards.delete("nl", iri, stewards.nl)

    assert r.status_code == 204 and r.content == b""
    assert live.store.get_record(iri) is None
    catalogue = live.store.catalog_record(iri)
    assert catalogue is not None and catalogue.withdrawn
    again = stewards.delete("nl", iri, stewards.nl)
    assert again.status_code == 404
    outcomes = [(e["outcome"], e["status"]) for e in stewards.audit(stewards.nl, dataset=iri)]
    assert outcomes[:2] == [("not-found", 404), ("withdrawn", 204)]


# -- credentials --------------------------------------------------------------------------


def test_missing_or_malformed_credentials_are_401_with_a_bearer_challenge(
    stewards: Stewards,
) -> None:
    url = f"{stewards.live.url}/api/nodes/nl/datasets"
    iri = {"iri": "https://nl.gdcat.example/dataset/x"}
    for headers in (
        {},
        {"Authorization": "Basic bmw6c2VjcmV0"},
        {"Authorization": "Bearer"},
        {"Authorization": "token abc"},
    ):
        r = httpx.put(
            url, params=iri, content=b"", headers={**headers, "Content-Type": "text/turtle"}
        )
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert httpx.delete(url, params=iri, headers=headers).status_code == 401
    wrong = httpx.delete(url, params=iri, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]


def test_a_revoked_token_is_refused(stewards: Stewards) -> None:
    created, secret = stewards.tokens.create("nl", label="to revoke")
    iri, graph = example_record("ee-biobank-genotyping-arrays.ttl")
    # valid before: a request that gets past authentication (404: nothing to delete)
    assert stewards.delete("nl", "https://nl.example/none", secret).status_code == 404
    stewards.tokens.revoke(created.id)
    r = stewards.put("nl", iri, turtle_of(graph), "text/turtle", secret)
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_the_tokens_file_never_holds_a_token(stewards: Stewards) -> None:
    path = stewards.live.settings.tokens_file
    text = path.read_text()
    assert stewards.nl not in text and stewards.be not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ids = {t["id"] for t in json.loads(text)["tokens"]}
    assert {stewards.nl_id, stewards.be_id} <= ids


# -- the audit trail ----------------------------------------------------------------------


def test_anyone_reads_the_audit_trail_and_it_never_holds_a_token(stewards: Stewards) -> None:
    iri, graph = example_record("ee-biobank-genotyping-arrays.ttl")
    stewards.put("be", iri, turtle_of(graph), "text/turtle", stewards.be)
    mine, own = example_record("fi-cardiomyopathy-gene-panel.ttl")
    stewards.put("nl", mine, turtle_of(own), "text/turtle", stewards.nl)
    url = f"{stewards.live.url}/api/audit"
    # public, like the linked data it is: no token needed, and a token changes nothing
    anyone = httpx.get(url, params={"limit": 1000})
    assert anyone.status_code == 200, anyone.text
    everything = anyone.json()["items"]
    assert {"nl", "be"} <= {e["node"] for e in everything}
    assert stewards.audit(stewards.be, limit="1000") == everything
    assert stewards.audit(ADMIN, limit="1000") == everything
    # the filters are open to anyone, for any node
    assert {e["node"] for e in stewards.audit(node="be")} == {"be"}
    assert {e["node"] for e in stewards.audit(stewards.be, node="nl")} == {"nl"}
    assert {e["dataset"] for e in stewards.audit(dataset=mine)} == {mine}
    times = [e["time"] for e in everything]
    assert times == sorted(times, reverse=True)
    text = anyone.text
    for secret in (stewards.nl, stewards.be, ADMIN):
        assert secret not in text
    assert stewards.nl_id in text and stewards.be_id in text  # tokens are named by id
    # each attempt dereferences at its IRI, as linked data
    entry = stewards.audit(node="be")[0]
    page = httpx.get(str(entry["iri"]), headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    described = Graph().parse(data=page.text, format="turtle")
    assert (URIRef(str(entry["iri"])), None, None) in described
    assert stewards.be not in page.text
    graph_page = httpx.get(f"{stewards.live.url}/graph/audit", headers={"Accept": "text/turtle"})
    assert graph_page.status_code == 200
    assert stewards.nl not in graph_page.text and stewards.be not in graph_page.text


def test_a_nodes_records_say_which_were_published(stewards: Stewards) -> None:
    iri, graph = example_record("fi-cardiomyopathy-gene-panel.ttl")
    stewards.put("nl", iri, turtle_of(graph), "text/turtle", stewards.nl)
    r = httpx.get(f"{stewards.live.url}/api/nodes/nl/datasets", params={"limit": 1000})
    assert r.status_code == 200
    items = {i["dataset"]: i for i in r.json()["items"]}
    assert set(items) == set(stewards.live.store.record_sources("nl"))
    assert items[iri]["published"] is True
    harvested = [i for i in items.values() if not i["published"]]
    assert harvested and all(i["source"].startswith("http://127.0.0.1") for i in harvested)


def test_the_openapi_document_describes_publishing(stewards: Stewards) -> None:
    doc = httpx.get(f"{stewards.live.url}/openapi.json").json()
    put = doc["paths"]["/api/nodes/{node}/datasets"]["put"]
    assert {"text/turtle", "application/ld+json", "application/yaml"} <= set(
        put["requestBody"]["content"]
    )
    assert {"200", "201", "401", "403", "413", "415", "422"} <= set(put["responses"])
    assert put["security"]
    assert any(s.get("scheme") == "bearer" for s in doc["components"]["securitySchemes"].values())
    audit = doc["paths"]["/api/audit"]["get"]
    assert "security" not in audit
    assert not {"401", "403"} & set(audit["responses"])
    assert "no token" in audit["description"].lower()


def test_other_methods_are_405_naming_every_method_of_the_resource(stewards: Stewards) -> None:
    r = httpx.request("OPTIONS", f"{stewards.live.url}/api/nodes/nl/datasets")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "PUT", "DELETE"}


def test_a_broken_tokens_file_is_a_503_problem(tmp_path: Path) -> None:
    with start_gdcat(tmp_path, datasets=None, admin_token=ADMIN) as live:
        _, secret = TokenFile(live.settings.tokens_file).create("nl")
        live.settings.tokens_file.write_text("{not json")
        iri, graph = example_record("nl-rare-disease-wgs.ttl")
        r = httpx.put(
            f"{live.url}/api/nodes/nl/datasets",
            params={"iri": iri},
            content=turtle_of(graph),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/turtle"},
            timeout=60,
        )
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["type"].endswith("/tokens-unavailable")
        assert "not json" not in problem["detail"] and str(tmp_path) not in problem["detail"]
        assert live.store.catalog_record(iri) is None
