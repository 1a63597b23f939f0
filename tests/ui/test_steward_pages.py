"""The stewards' pages over HTTP: signing in with the node token (the cookie and what is
refused), the node's records with their source and validation outcome, upload, replace and
withdraw through the publisher, and the forgery checks: a post without the form token, from
another site, or by another node's session is refused by the server, and the audit trail names
the token of every attempt.

One gdcat per module (a small demo federation harvested into it, an admin token); each test
publishes its own dataset IRIs, so the order of the tests does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import yaml
from live_gdcat import LiveGdcat, start_gdcat
from starlette.requests import Request

from gdcat.model.spreadsheet import row_of
from gdcat.publish import TokenFile
from gdcat.settings import Settings
from gdcat.ui.steward_session import FORM_OVERHEAD_BYTES, same_origin

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "model" / "examples" / "valid" / "es-clinical-exomes-not-shareable.yaml"
EXAMPLE_IRI = "https://es.gdcat.example/dataset/hospital-clinical-exomes"
ADMIN = "admin-secret-for-steward-pages"
LIMIT = 100_000
SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Accept": "text/html"}
CROSS_SITE = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def example(iri: str, *, drop: str | None = None, title: str | None = None) -> bytes:
    """The Spanish not-shareable exomes example under another IRI (one line dropped, or the
    English title changed)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if drop is None or not line.strip().startswith(drop)]
    out = "\n".join(lines).replace(EXAMPLE_IRI, iri)
    if title is not None:
        out = out.replace("en: Hospital clinical diagnostic exomes", f"en: {title}")
    return out.encode("utf-8")


@dataclass
class Steward:
    """A browser stand-in: a client that keeps the session cookie and sends what a browser
    sends with a same-origin form (``Sec-Fetch-Site``)."""

    client: httpx.Client
    token_id: str

    def form_token(self, path: str = "/steward/records") -> str:
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, "the page has no form token"
        return found.group(1)

    def post(self, path: str, data: dict[str, str], **kwargs: object) -> httpx.Response:
        return self.client.post(path, data=data, **kwargs)  # type: ignore[arg-type]

    def upload(self, path: str, name: str, body: bytes, **fields: str) -> httpx.Response:
        data = {"csrf_token": self.form_token(), **fields}
        return self.client.post(path, data=data, files={"file": (name, body)})

    def withdraw(self, iri: str) -> httpx.Response:
        return self.post(
            "/steward/records/withdraw", {"csrf_token": self.form_token(), "record": iri}
        )


@dataclass
class Site:
    live: LiveGdcat
    tokens: TokenFile
    es: Steward
    nl: Steward
    es_secret: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.live.url, headers=SAME_SITE, timeout=60)

    def node_datasets(self, node: str) -> dict[str, dict[str, object]]:
        answer = httpx.get(f"{self.live.url}/api/nodes/{node}/datasets", timeout=30)
        return {item["dataset"]: item for item in answer.json()["items"]}

    def audit(self, dataset: str) -> list[dict[str, object]]:
        answer = httpx.get(f"{self.live.url}/api/audit", params={"dataset": dataset}, timeout=30)
        items: list[dict[str, object]] = answer.json()["items"]
        return items


def signed_in(client: httpx.Client, secret: str) -> httpx.Response:
    """Sign in; the cookie is kept by hand (httpx, rightly, sends no Secure cookie over http:
    the browser walk checks that Chromium does for 127.0.0.1)."""
    answer = client.post("/steward", data={"token": secret})
    cookie = answer.headers.get("set-cookie")
    if cookie:
        client.headers["Cookie"] = cookie.split(";", 1)[0]
    return answer


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with start_gdcat(
        tmp_path_factory.mktemp("steward"),
        datasets=20,
        admin_token=ADMIN,
        max_document_bytes=LIMIT,
    ) as live:
        tokens = TokenFile(live.settings.tokens_file)
        es, es_secret = tokens.create("es", country="ESP")
        nl, nl_secret = tokens.create("nl", country="NLD")
        made = []
        for token, secret in ((es, es_secret), (nl, nl_secret)):
            client = httpx.Client(base_url=live.url, headers=SAME_SITE, timeout=60)
            assert signed_in(client, secret).status_code == 303
            made.append(Steward(client, token.id))
        yield Site(live, tokens, made[0], made[1], es_secret)
        for steward in made:
            steward.client.close()


def test_signing_in_sets_an_http_only_strict_secure_cookie_and_opens_the_records(
    site: Site,
) -> None:
    with site.client() as client:
        page = client.get("/steward")
        assert page.status_code == 200
        assert re.search(r'<input type="password" id="token" name="token"', page.text)
        assert 'method="post"' in page.text
        answer = signed_in(client, site.es_secret)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{site.live.url}/steward/records"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("gdcat_steward=")
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "secure", "samesite=strict", "path=/"} <= attributes
        assert answer.headers["cache-control"] == "no-store"
        records = client.get("/steward/records")
        assert records.status_code == 200
        assert "Signed in for node es" in text(records.text)
        # signed in, /steward goes straight to the records
        assert client.get("/steward").headers["location"].endswith("/steward/records")


def test_a_wrong_revoked_or_admin_token_is_told_so_and_gets_no_cookie(site: Site) -> None:
    with site.client() as client:
        wrong = client.post("/steward", data={"token": "not-a-token"})
        assert wrong.status_code == 401
        assert "set-cookie" not in wrong.headers
        assert "This token is unknown or has been revoked" in text(wrong.text)
        assert 'aria-invalid="true"' in wrong.text
        admin = client.post("/steward", data={"token": ADMIN})
        assert admin.status_code == 403
        assert "set-cookie" not in admin.headers
        assert "The administrator's token does not sign in here" in text(admin.text)
        revoked, secret = site.tokens.create("pt")
        assert signed_in(client, secret).status_code == 303
        assert client.get("/steward/records").status_code == 200
        site.tokens.revoke(revoked.id)
        # a revoked token ends its sessions at once: back to the sign-in page
        after = client.get("/steward/records")
        assert after.status_code == 303 and after.headers["location"].endswith("/steward")
        again = client.post("/steward", data={"token": secret})
        assert again.status_code == 401 and "set-cookie" not in again.headers


def test_a_sign_in_posted_from_another_site_is_refused(site: Site) -> None:
    """Login forgery: another site must not sign the browser in with the attacker's token."""
    answer = httpx.post(
        f"{site.live.url}/steward",
        data={"token": site.es_secret},
        headers={**CROSS_SITE, "Accept": "text/html"},
    )
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert "posted from another site" in text(answer.text)
    # an older browser without Sec-Fetch-Site: the Origin decides
    answer = httpx.post(
        f"{site.live.url}/steward",
        data={"token": site.es_secret},
        headers={"Origin": "http://evil.example"},
    )
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_the_records_page_lists_harvested_and_published_records_with_their_outcome(
    site: Site,
) -> None:
    harvested = site.node_datasets("es")
    assert harvested, "the demo federation gives node es a record"
    iri = "https://es.gdcat.example/dataset/steward-pages-listed"
    answer = site.es.upload("/steward/records/upload", "exomes.yaml", example(iri))
    assert answer.status_code == 200, text(answer.text)
    page = site.es.client.get("/steward/records")
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", page.text, re.S)
    by_iri = {re.search(r'class="iri">([^<]+)<', row).group(1): text(row) for row in rows}  # type: ignore[union-attr]
    assert set(by_iri) == set(site.node_datasets("es"))
    listed = by_iri[iri]
    assert "published here" in listed and "conforms, with warnings" in listed
    assert "Edit" in listed and "Replace by upload" in listed and "Withdraw" in listed
    for dataset, item in harvested.items():
        if dataset != iri:
            assert "harvested" in by_iri[dataset]
            assert "takes it out of the harvest" in by_iri[dataset]
            assert str(item["profile"]) in by_iri[dataset]
    assert (
        f'href="{site.live.url}/describe?record={iri.replace(":", "%3A").replace("/", "%2F")}"'
        in page.text
    )
    # where a steward starts: the form, the template, validation and the node's quality page
    base = site.live.url
    shown = unescape(page.text)
    for url, words in (
        ("/describe", "Describe a dataset"),
        ("/template.xlsx", "Spreadsheet template (XLSX)"),
        ("/template.csv", "Spreadsheet template (CSV)"),
        ("/validate", "Validate a file"),
        ("/nodes/es/quality", "Quality of your node's records"),
    ):
        assert re.search(rf'href="{re.escape(base + url)}"[^>]*>{re.escape(words)}<', shown), url
    # sortable: by title both ways
    titles = re.findall(r'<td><a href="[^"]+">(.*?)</a><span class="iri">', page.text)
    descending = site.es.client.get("/steward/records?sort=-title").text
    assert (
        re.findall(r'<td><a href="[^"]+">(.*?)</a><span class="iri">', descending) == titles[::-1]
    )


def test_withdrawing_needs_the_form_token_and_then_goes_through_the_publisher(
    site: Site,
) -> None:
    iri = "https://es.gdcat.example/dataset/steward-pages-withdrawn"
    assert site.es.upload("/steward/records/upload", "x.yaml", example(iri)).status_code == 200
    confirm = site.es.client.get("/steward/records/withdraw", params={"record": iri})
    assert confirm.status_code == 200
    assert "Withdraw the record" in text(confirm.text) and 'name="csrf_token"' in confirm.text
    without = site.es.post("/steward/records/withdraw", {"record": iri})
    assert without.status_code == 403
    assert "security token is missing or out of date" in text(without.text)
    wrong = site.es.post("/steward/records/withdraw", {"record": iri, "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    assert iri in site.node_datasets("es")
    done = site.es.withdraw(iri)
    assert done.status_code == 200 and "Withdrawn" in text(done.text)
    assert iri not in site.node_datasets("es")
    again = site.es.withdraw(iri)
    assert again.status_code == 404
    assert "Not found: there is no live record of this dataset" in text(again.text)


def test_a_post_from_another_site_is_refused_even_with_the_cookie_and_token(
    site: Site,
) -> None:
    iri = "https://es.gdcat.example/dataset/steward-pages-cross-site"
    assert site.es.upload("/steward/records/upload", "x.yaml", example(iri)).status_code == 200
    token = site.es.form_token()
    cookie = site.es.client.headers["Cookie"]
    # a current browser (Sec-Fetch-Site), an older one (Origin only), a hidden origin
    for headers in (CROSS_SITE, {"Origin": "http://evil.example"}, {"Origin": "null"}):
        answer = httpx.post(
            f"{site.live.url}/steward/records/withdraw",
            data={"csrf_token": token, "record": iri},
            headers={**headers, "Cookie": cookie, "Accept": "text/html"},
        )
        assert answer.status_code == 403, headers
        assert "posted from another site" in text(answer.text)
    assert iri in site.node_datasets("es")
    assert not any(entry["action"] == "delete" for entry in site.audit(iri))


def test_another_nodes_session_cannot_withdraw_or_replace_a_record(site: Site) -> None:
    iri = "https://es.gdcat.example/dataset/steward-pages-not-nl"
    assert site.es.upload("/steward/records/upload", "x.yaml", example(iri)).status_code == 200
    # nl's pages do not offer the record...
    nl_page = site.nl.client.get("/steward/records").text
    assert iri not in nl_page
    assert (
        site.nl.client.get("/steward/records/withdraw", params={"record": iri}).status_code == 403
    )
    # ...and the server refuses nl's crafted posts, with nl's own valid form token
    withdraw = site.nl.withdraw(iri)
    assert withdraw.status_code == 403
    assert "Refused: not your node's record" in text(withdraw.text)
    assert "held by node es" in text(withdraw.text)
    replace = site.nl.upload(
        "/steward/records/replace", "x.yaml", example(iri, title="Taken over"), record=iri
    )
    assert replace.status_code == 403
    upload = site.nl.upload("/steward/records/upload", "x.yaml", example(iri, title="Taken"))
    assert upload.status_code == 403
    assert iri in site.node_datasets("es")
    page = httpx.get(f"{site.live.url}/api/nodes/es/datasets").json()
    assert any(item["dataset"] == iri for item in page["items"])
    forbidden = [e for e in site.audit(iri) if e["outcome"] == "forbidden"]
    assert len(forbidden) == 3
    assert {e["token_id"] for e in forbidden} == {site.nl.token_id}


def test_every_action_is_in_the_audit_trail_under_the_token_id(site: Site) -> None:
    iri = "https://es.gdcat.example/dataset/steward-pages-audited"
    created = site.es.upload("/steward/records/upload", "x.yaml", example(iri))
    assert created.status_code == 200 and "Published (new)" in text(created.text)
    replaced = site.es.upload(
        "/steward/records/replace", "x.yaml", example(iri, title="Renamed exomes"), record=iri
    )
    assert replaced.status_code == 200 and "Replaced" in text(replaced.text)
    assert site.es.withdraw(iri).status_code == 200
    trail = site.audit(iri)
    assert [(e["action"], e["outcome"]) for e in trail] == [
        ("delete", "withdrawn"),
        ("put", "replaced"),
        ("put", "created"),
    ]
    assert {e["token_id"] for e in trail} == {site.es.token_id}
    assert {e["node"] for e in trail} == {"es"}


def test_a_refused_upload_names_the_record_and_field_and_changes_nothing(site: Site) -> None:
    iri = "https://es.gdcat.example/dataset/steward-pages-refused"
    assert site.es.upload("/steward/records/upload", "x.yaml", example(iri)).status_code == 200
    broken = example(iri, drop="access_url:")
    refused = site.es.upload("/steward/records/replace", "x.yaml", broken, record=iri)
    assert refused.status_code == 422
    words = text(refused.text)
    assert "Refused: the record has violations, nothing was stored" in words
    assert iri in words and "distribution.access_url" in words
    # the report's `field` marks are shown as code, as on the validation page, not as backticks
    assert "<code>distribution.access_url</code>" in refused.text
    assert "`" not in words
    assert site.node_datasets("es")[iri]["outcome"] == "warnings"
    unreadable = site.es.upload("/steward/records/upload", "x.ttl", b"<a> <b> .")
    assert unreadable.status_code == 400
    assert "Refused: the file cannot be read" in text(unreadable.text)
    assert "x.ttl:1" in text(unreadable.text)
    unknown = site.es.upload("/steward/records/upload", "x.docx", b"PK")
    assert unknown.status_code == 415
    assert "cannot tell the RDF format" in text(unknown.text)


def test_signing_out_needs_the_form_token_and_removes_the_cookie(site: Site) -> None:
    with site.client() as client:
        signed_in(client, site.es_secret)
        page = client.get("/steward/records").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert client.post("/steward/sign-out", data={}).status_code == 403
        out = client.post("/steward/sign-out", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"].endswith("/steward")
        cookie = out.headers["set-cookie"]
        assert cookie.startswith('gdcat_steward=""') and "max-age=0" in cookie.lower()


def test_pages_without_a_session_offer_the_sign_in_and_refuse_the_posts(site: Site) -> None:
    with site.client() as client:
        search = client.get("/search").text
        assert f'href="{site.live.url}/steward">For stewards</a>' in search
        assert "Signed in for node" not in search
        assert client.get("/steward/records").headers["location"].endswith("/steward")
        posted = client.post(
            "/steward/records/withdraw", data={"record": EXAMPLE_IRI, "csrf_token": "x"}
        )
        assert posted.status_code == 401


def test_a_form_over_the_size_limit_is_refused_before_it_is_read(site: Site) -> None:
    big = b"# " + b"x" * (LIMIT + FORM_OVERHEAD_BYTES) + b"\n"
    answer = site.es.upload("/steward/records/upload", "big.ttl", big)
    assert answer.status_code == 413
    assert f"over the limit of {LIMIT + FORM_OVERHEAD_BYTES:,} bytes" in text(answer.text)
    assert "max_document_bytes" in text(answer.text)


def scope_request(headers: dict[str, str], *, scheme: str = "http") -> Request:
    """A request to gdcat at 127.0.0.1:8000 (its base IRI https://catalogue.example/)."""
    settings = Settings(base_iri="https://catalogue.example/")
    app = SimpleNamespace(state=SimpleNamespace(ctx=SimpleNamespace(settings=settings)))
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": scheme,
        "server": ("127.0.0.1", 8000),
        "path": "/steward",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"127.0.0.1:8000")],
        "app": app,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "none"}, True),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://127.0.0.1:8000"}, False),
        # behind a proxy that ends TLS: the browser's Sec-Fetch-Site decides
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://catalogue.example"}, True),
        # older browsers: the Origin, this server's or base_iri's
        ({"Origin": "http://127.0.0.1:8000"}, True),
        ({"Origin": "https://catalogue.example"}, True),
        ({"Origin": "https://catalogue.example.evil.example"}, False),
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({}, True),  # no browser signal at all: the form token decides
    ],
)
def test_same_origin_reads_what_the_browser_says(headers: dict[str, str], expected: bool) -> None:
    assert same_origin(scope_request(headers)) is expected


def several(iris: list[str], broken: str | None = None) -> bytes:
    """One steward YAML document of the example under each IRI (``broken``'s distribution
    without its access_url)."""
    items = []
    for iri in iris:
        item = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
        item["id"] = iri
        if iri == broken:
            del item["distribution"][0]["access_url"]
        items.append(item)
    return yaml.safe_dump(items, allow_unicode=True).encode("utf-8")


def test_a_file_of_several_datasets_is_published_all_or_none(site: Site) -> None:
    iris = [f"https://es.gdcat.example/dataset/steward-pages-batch-{n}" for n in range(3)]
    refused = site.es.upload("/steward/records/upload", "batch.yaml", several(iris, broken=iris[1]))
    assert refused.status_code == 422
    words = text(refused.text)
    assert "1 of the 3 records of batch.yaml were refused, so none was stored." in words
    assert iris[1] in words and "distribution.access_url" in words
    assert iris[0] not in words  # only the refused record is named
    assert not set(iris) & set(site.node_datasets("es"))
    published = site.es.upload("/steward/records/upload", "batch.yaml", several(iris))
    assert published.status_code == 200
    assert text(published.text).count("Published (new)") == 3
    assert set(iris) <= set(site.node_datasets("es"))


def spreadsheet(iris: list[str], untitled: set[str]) -> bytes:
    """A filled CSV template: one row per IRI, the example's cells (those in ``untitled``
    without a title)."""
    rows = []
    for iri in iris:
        item = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
        item["id"] = iri
        if iri in untitled:
            del item["title"]
        rows.append(row_of(item))
    headers = list(dict.fromkeys(h for row in rows for h in row))

    def cell(value: object) -> str:
        shown = "true" if value is True else "false" if value is False else str(value)
        return '"' + shown.replace('"', '""') + '"'

    lines = [",".join(headers)] + [",".join(cell(r.get(h, "")) for h in headers) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_spreadsheet_upload_names_the_wrong_rows_then_publishes_every_row(
    site: Site,
) -> None:
    iris = [f"https://es.gdcat.example/dataset/steward-pages-sheet-{n}" for n in range(6)]
    wrong = {iris[1], iris[4]}
    refused = site.es.upload("/steward/records/upload", "survey.csv", spreadsheet(iris, wrong))
    assert refused.status_code == 422
    words = text(refused.text)
    assert "2 of the 6 records of survey.csv were refused, so none was stored." in words
    assert "survey.csv, row 3" in words and "survey.csv, row 6" in words  # header is row 1
    assert re.search(r"title \(survey\.csv, row 3, column [A-Z]+ \(title@\w+\)\)", words)
    assert not set(iris) & set(site.node_datasets("es"))
    published = site.es.upload("/steward/records/upload", "survey.csv", spreadsheet(iris, set()))
    assert published.status_code == 200, text(published.text)
    assert text(published.text).count("Published (new)") == 6
    assert set(iris) <= set(site.node_datasets("es"))
