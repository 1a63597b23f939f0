"""The W3C SPARQL 1.1 Protocol (34 tests) and Service Description (3 tests) suites, run by the
npm runner ``rdf-test-suite`` 2.8.0 against a live gdcat.

- With updates on (a scratch store, the admin token): every protocol test passes.
- The public, read-only configuration passes every protocol test that needs no update, and
  fails exactly those that do (their data is loaded, or their check made, by SPARQL Update).

The runner is installed with npm into a cache folder outside the working tree
(``$GDCAT_CACHE_DIR`` or ``~/.cache/gdcat``, then ``w3c-sparql/<hash of package.json>``) the
first time; it needs node and npm. It sends a test's requests with exactly the headers its
manifest names, so ``w3c_sparql/add-authorization.js`` (loaded with ``node --require``) adds the
admin token to its requests to the endpoint under test: the server checks the token as always.
The suites' data is in ``w3c_sparql/`` (see its ``SOURCES.md``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).parent / "w3c_sparql"
SUITE = HERE / "sparql11"
MANIFEST_BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
RUNNER_FILES = ("protocol-engine.js", "add-authorization.js", "earl-meta.json")
EARL = Namespace("http://www.w3.org/ns/earl#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
CNT = Namespace("http://www.w3.org/2011/content#")

pytestmark = pytest.mark.slow


def runner_dir() -> Path:
    """rdf-test-suite, installed once per package.json into the cache folder."""
    package = (HERE / "package.json").read_bytes()
    digest = hashlib.sha256(package).hexdigest()[:16]
    cache = Path(os.environ.get("GDCAT_CACHE_DIR") or Path.home() / ".cache" / "gdcat")
    target = cache / "w3c-sparql" / digest
    if not (target / "node_modules" / ".bin" / "rdf-test-suite").exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            pytest.fail("the W3C SPARQL suites need node and npm (to install rdf-test-suite)")
        staging = target.with_name(f"{digest}.{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / "package.json").write_bytes(package)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm install of rdf-test-suite failed:\n{done.stdout}\n{done.stderr}")
        try:
            staging.rename(target)
        except OSError:  # another run installed it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    for name in RUNNER_FILES:
        shutil.copyfile(HERE / name, target / name)
    return target


def run_suite(suite: str, option: str, endpoint: str, token: str | None = None) -> dict[str, bool]:
    """Test IRI -> passed, for the manifest ``suite`` (a folder of ``sparql11``)."""
    runner = runner_dir()
    env = dict(os.environ, GDCAT_SPARQL_ENDPOINT=endpoint, GDCAT_SPARQL_TOKEN=token or "")
    env["NODE_OPTIONS"] = f"--require {runner / 'add-authorization.js'}"
    command = [
        str(runner / "node_modules" / ".bin" / "rdf-test-suite"),
        "protocol-engine.js",
        f"{MANIFEST_BASE}{suite}/manifest.ttl",
        "-m",
        f"{MANIFEST_BASE}~{SUITE}/",
        "-i",
        f'{{"{option}": "{endpoint}"}}',
        "-d",
        "60000",
        "-o",
        "earl",
        "-p",
        "earl-meta.json",
    ]
    done = subprocess.run(command, cwd=runner, env=env, capture_output=True, text=True, timeout=900)
    report = Graph()
    try:
        report.parse(data=done.stdout, format="turtle")
    except Exception as e:
        pytest.fail(f"no EARL report from rdf-test-suite ({e}):\n{done.stdout}\n{done.stderr}")
    outcomes = {}
    for assertion in report.subjects(EARL.test, None):
        test = report.value(assertion, EARL.test)
        outcome = report.value(report.value(assertion, EARL.result), EARL.outcome)
        outcomes[str(test)] = outcome == EARL.passed
    return outcomes


def update_dependent_tests() -> set[str]:
    """Protocol tests that load data by SPARQL Update or expect an update to succeed."""
    manifest = Graph().parse(SUITE / "protocol" / "manifest.ttl", format="turtle")
    needing = set()
    for test in manifest.subjects(MF.action, None):
        if manifest.value(test, UT.graphData) is not None:
            needing.add(str(test))
            continue
        connection = manifest.value(test, MF.action)
        for request in Collection(manifest, manifest.value(connection, HT.requests)):
            body = manifest.value(manifest.value(request, HT.body), CNT.chars)
            headers = manifest.value(request, HT.headers)
            types = [
                str(manifest.value(h, HT.fieldValue))
                for h in (Collection(manifest, headers) if headers else [])
            ]
            expects_success = URIRef(
                "http://www.w3.org/2011/http-statusCodes#StatusCode2xx"
            ) in set(manifest.objects(manifest.value(request, HT.resp), MF.expectedStatus))
            is_update = "application/sparql-update" in types or str(body or "").startswith(
                "update="
            )
            if is_update and expects_success:
                needing.add(str(test))
    return needing


@pytest.fixture(scope="module")
def updatable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveGdcat, str]]:
    """gdcat on an empty scratch store that accepts SPARQL Update with its admin token."""
    token = secrets.token_urlsafe(24)
    with start_gdcat(
        tmp_path_factory.mktemp("w3c-updatable"),
        datasets=None,
        sparql_updates=True,
        admin_token=token,
    ) as live:
        yield live, token


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    """gdcat as the public runs it: read-only SPARQL."""
    with start_gdcat(tmp_path_factory.mktemp("w3c-public"), datasets=None) as live:
        yield live


def test_the_protocol_suite_passes_in_full_with_updates_on(
    updatable: tuple[LiveGdcat, str],
) -> None:
    live, token = updatable
    outcomes = run_suite("protocol", "protocolEndpoint", live.url + "/sparql", token)
    failed = sorted(test for test, passed in outcomes.items() if not passed)
    assert len(outcomes) == 34 and failed == []


def test_the_service_description_suite_passes(public: LiveGdcat) -> None:
    outcomes = run_suite(
        "service-description", "serviceDescriptionEndpoint", public.url + "/sparql"
    )
    assert len(outcomes) == 3 and all(outcomes.values()), outcomes


def test_the_public_endpoint_passes_every_protocol_test_that_needs_no_update(
    public: LiveGdcat,
) -> None:
    outcomes = run_suite("protocol", "protocolEndpoint", public.url + "/sparql")
    needing = update_dependent_tests()
    assert len(outcomes) == 34 and len(needing) == 13
    failed = {test for test, passed in outcomes.items() if not passed}
    assert failed == needing, (
        f"failed without needing an update: {sorted(failed - needing)}; "
        f"passed although read-only: {sorted(needing - failed)}"
    )
