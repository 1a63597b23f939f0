"""gdcat's command line: thin commands over the package.

Exit codes scripts can rely on: 0 success (everything conforms), 1 validation violations,
2 unusable input (malformed RDF, unknown format or profile, unreadable file, bad SPARQL),
3 an operational failure (the store could not be opened or written).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from gdcat.errors import GdcatError, InputError, ProfileError, QueryError
from gdcat.settings import Settings

if TYPE_CHECKING:
    import httpx

    from gdcat.demo import Federation
    from gdcat.demo.nodes import ServedFederation
    from gdcat.harvest import NodeReport
    from gdcat.harvest.report import RunReport
    from gdcat.ingest import Checked, CheckOutcome, StoreOutcome
    from gdcat.served import AdminClient, Announcement, ServedStore
    from gdcat.store import QueryableStore, Store

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_UNUSABLE = 2
EXIT_FAILURE = 3
#: ``gdcat harvest``: a node named was being harvested by another process (not by ``--due``)
EXIT_ELSEWHERE = 4

store_option = click.option(
    "--store",
    "store_dir",
    default=None,
    metavar="DIR|URL",
    help="Folder of the embedded store (default: $GDCAT_STORE_DIR or var/store), or the "
    "http(s):// URL of a remote SPARQL store (as $GDCAT_STORE_URL).",
)


def _demo_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that choose and place the demo federation (``demo``, ``demo-nodes``)."""
    for option in reversed(
        (
            click.option("--seed", type=int, default=1, show_default=True),
            click.option("--datasets", type=int, default=400, show_default=True),
            click.option(
                "--first-port",
                type=int,
                default=8101,
                show_default=True,
                help="Port of the first demo node (the others follow); 0 picks free ports.",
            ),
        )
    ):
        command = option(command)
    return command


def _serve_options(command: Callable[..., None]) -> Callable[..., None]:
    """Where gdcat listens (``serve``, ``demo --serve``)."""
    for option in reversed(
        (
            click.option("--host", default="127.0.0.1", show_default=True),
            click.option("--port", type=int, default=8000, show_default=True),
        )
    ):
        command = option(command)
    return command


def _settings(store_dir: str | Path | None = None) -> Settings:
    """The settings from ``GDCAT_*`` variables; a bad value is unusable input (exit 2)."""
    try:
        settings = Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"GDCAT_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in e.errors()
        )
        click.echo(f"error: invalid setting: {problems}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if isinstance(store_dir, str) and store_dir.startswith(("http://", "https://")):
        settings = settings.model_copy(update={"store_url": store_dir})
    elif store_dir is not None:
        settings = settings.model_copy(update={"store_dir": Path(store_dir), "store_url": None})
    return settings


def _store_name(settings: Settings) -> str:
    """Where the settings' store is, for messages: its folder or its URL."""
    return settings.store_url or str(settings.store_dir)


@contextmanager
def _opened_store(settings: Settings) -> Iterator[Store]:
    """The store the settings name, closed (and its lock released) whatever happens. A store
    a gdcat server holds is unusable input for the commands that cannot go through it."""
    from gdcat.served import ServerUnreachableError
    from gdcat.store import open_store

    server = _serving(settings) if settings.store_url is None else None
    if server is not None:
        raise ServerUnreachableError(
            f"the store {settings.store_dir} is held by the gdcat server at {server.url} "
            f"(pid {server.pid}); use its API, or stop it and run the command again"
        )
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def _serving(settings: Settings) -> Announcement | None:
    """The gdcat server holding the store, or None when this command may open it itself.

    The store's lock is the truth: a server that announced itself but holds no lock any more
    (killed without a chance to clean up, its process id reused) is ignored."""
    from gdcat.served import find_server, store_locked

    server = find_server(settings.store_dir)
    if server is None:
        return None
    # Probing the lock opens and closes the LOCK file, which would drop this very process's
    # own lock (POSIX locks belong to the process): a server in this process is trusted.
    return server if server.pid == os.getpid() or store_locked(settings.store_dir) else None


@contextmanager
def _server_client() -> Iterator[httpx.Client]:
    from gdcat.served import http_client

    with http_client() as client:
        yield client


@contextmanager
def _read_store(settings: Settings) -> Iterator[QueryableStore]:
    """The store to read: opened here, or the server's SPARQL endpoint when one holds it."""
    server = _serving(settings)
    if server is None:
        with _opened_store(settings) as store:
            yield store
        return
    with _server_client() as client:
        yield _served_store(server, client)


def _served_store(server: Announcement, client: httpx.Client) -> ServedStore:
    from gdcat.served import ServedStore

    return ServedStore(server, client)


def _admin(settings: Settings, server: Announcement, client: httpx.Client) -> AdminClient:
    """The server's admin routes, with the operator's admin token (or the server's own)."""
    from gdcat.served import AdminClient, admin_token

    return AdminClient(server, client, admin_token(server, settings.admin_token))


def _fail(error: GdcatError) -> None:
    click.echo(f"error: {error}", err=True)
    unusable = isinstance(error, InputError | ProfileError | QueryError)
    code = EXIT_UNUSABLE if unusable else EXIT_FAILURE
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gdcat")
def main() -> None:
    """gdcat: a metadata catalogue and FAIR knowledge graph for genomic datasets.

    While a `gdcat serve` holds the store, `query`, `inventory`, `changes`, `load`,
    `withdraw`, `harvest`, `index` and `recount` go through that server (it says where in
    STORE/server.json), with the same output and exit codes; writes use the admin token
    (GDCAT_ADMIN_TOKEN, else the one the server made in STORE/admin-token)."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", default=None, help="Validation profile (see `gdcat profiles`).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
)
def validate(paths: Sequence[Path], profile: str | None, output_format: str) -> None:
    """Validate files and folders (Turtle, JSON-LD, RDF/XML, N-Triples, steward YAML, steward
    spreadsheets: .xlsx, .csv).

    Exit 0 when everything conforms (warnings allowed), 1 on violations, 2 on unusable input.
    """
    from gdcat.ingest import check_paths
    from gdcat.rdf.parse import ParseLimits
    from gdcat.validate import ValidationReport, Validator, get_profile

    settings = _settings()
    try:
        validator = Validator(get_profile(profile or settings.default_profile))
        outcome = check_paths(
            paths,
            validator,
            max_bytes=settings.max_document_bytes,
            limits=ParseLimits.from_settings(settings),
        )
    except GdcatError as e:
        _fail(e)
        return
    for error in outcome.unusable:
        click.echo(f"error: {error}", err=True)
    if not outcome.checked and output_format == "text":
        click.echo(f"no record checked: none of the {outcome.files} file(s) could be used")
        sys.exit(EXIT_UNUSABLE)
    report = ValidationReport.combine(outcome.reports, profile=validator.profile.name)
    if output_format == "json":
        document = report.to_json()
        document["unusable"] = [_error_json(e) for e in outcome.unusable]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif output_format == "turtle":
        click.echo(report.to_turtle())
    else:
        click.echo(report.to_text())
        click.echo(_summary_line(outcome))
    if outcome.unusable:
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


def _error_json(error: InputError) -> dict[str, object]:
    location = error.location
    out: dict[str, object] = {
        "file": location.source if location else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "message": error.message,
    }
    if location is not None and location.sheet is not None:
        out["sheet"] = location.sheet
        out["field"] = location.field
    return out


def _summary_line(outcome: CheckOutcome) -> str:
    records, failing = len(outcome.records), len(outcome.failing_records)
    line = (
        f"{records} record(s) in {outcome.files} file(s): {records - failing} conform, "
        f"{failing} with violations"
    )
    if outcome.failing_rest:
        line += (
            f"; the catalogues, data services or agents of {len(outcome.failing_rest)} "
            "file(s) have violations"
        )
    return line


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--profile", default=None, help="Validation profile records must conform to.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def load(
    paths: Sequence[Path], store_dir: str | None, profile: str | None, output_format: str
) -> None:
    """Validate, then store what conforms; report the rest.

    Exit 0 when every record was stored, 1 when some were rejected, 2 on unusable input,
    3 when the store refused a record (it keeps its previous version).
    """
    from gdcat.ingest import check_paths, store_conforming
    from gdcat.rdf.parse import ParseLimits
    from gdcat.validate import ValidationReport, Validator, get_profile

    settings = _settings(store_dir)
    try:
        validator = Validator(get_profile(profile or settings.default_profile))
        outcome = check_paths(
            paths,
            validator,
            max_bytes=settings.max_document_bytes,
            limits=ParseLimits.from_settings(settings),
        )
        server = _serving(settings)
        if server is None:
            with _opened_store(settings) as store:
                stored = store_conforming(outcome.checked, store, profile=validator.profile.name)
        else:
            with _server_client() as client:
                stored = _load_through(
                    _admin(settings, server, client),
                    outcome.checked,
                    validator.profile.name,
                    settings.max_document_bytes,
                )
    except GdcatError as e:
        _fail(e)
        return
    for error in outcome.unusable:
        click.echo(f"error: {error}", err=True)
    rejected = ValidationReport.combine(
        [c.report for c in outcome.failing], profile=validator.profile.name
    )
    failing_records = outcome.failing_records
    if output_format == "json":
        document = {
            "stored": stored.written,
            "rejected": rejected.to_json(),
            "not_written": stored.failures,
            "unusable": [_error_json(e) for e in outcome.unusable],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if outcome.failing:
            click.echo(rejected.to_text())
        for iri, reason in stored.failures.items():
            click.echo(f"error: the store refused {iri}: {reason}", err=True)
        rest = (
            f"; catalogues, data services or agents with violations in "
            f"{len(outcome.failing_rest)} file(s) (not stored: gdcat keeps records only)"
            if outcome.failing_rest
            else ""
        )
        click.echo(
            f"stored {len(stored.written)} record(s) in {_store_name(settings)}; "
            f"rejected {len(failing_records)}; unusable files {len(outcome.unusable)}{rest}"
        )
    if outcome.unusable:
        sys.exit(EXIT_UNUSABLE)
    if stored.failures:
        sys.exit(EXIT_FAILURE)
    sys.exit(EXIT_VIOLATIONS if outcome.failing else EXIT_OK)


def _load_through(
    admin: AdminClient, checked: Sequence[Checked], profile: str, max_bytes: int
) -> StoreOutcome:
    """``store_conforming`` through a server's ``POST /api/records``, in batches under the
    server's document size limit."""
    from gdcat.ingest import StoreOutcome

    uploads = [
        {
            "dataset": c.record.iri,
            "source": c.record.source,
            "content_hash": c.record.content_hash,
            "profile": profile,
            "outcome": "warnings" if c.report.results else "conforms",
            "ntriples": c.record.graph.serialize(format="nt"),
        }
        for c in checked
        if c.conforms and c.record.kind != "Document"
    ]
    written: list[str] = []
    failures: dict[str, str] = {}
    batch: list[dict[str, str]] = []
    size = 0
    for upload in [*uploads, None]:
        if batch and (upload is None or size + len(upload["ntriples"]) > max_bytes // 2):
            answer = admin.call("POST", "/api/records", json_body={"records": batch}).json()
            written += answer["written"]
            failures.update(answer["failures"])
            batch, size = [], 0
        if upload is not None:
            batch.append(upload)
            size += len(upload["ntriples"])
    return StoreOutcome(written, failures)


@main.command()
@click.argument("datasets", nargs=-1, required=True)
@store_option
def withdraw(datasets: Sequence[str], store_dir: str | None) -> None:
    """Withdraw records by dataset IRI: their graphs go, their catalogue records stay as
    tombstones. Exit 0 when every one was withdrawn, 1 when some were not in the store."""
    settings = _settings(store_dir)
    missing = []
    try:
        server = _serving(settings)
        if server is None:
            with _opened_store(settings) as store:
                for iri in datasets:
                    if store.withdraw(iri):
                        click.echo(f"withdrawn {iri}")
                    else:
                        missing.append(iri)
        else:
            with _server_client() as client:
                admin = _admin(settings, server, client)
                for iri in datasets:
                    answer = admin.call(
                        "DELETE", "/api/records", params={"iri": iri}, expect=(204, 404)
                    )
                    if answer.status_code == 204:
                        click.echo(f"withdrawn {iri}")
                    else:
                        missing.append(iri)
    except GdcatError as e:
        _fail(e)
    for iri in missing:
        click.echo(f"error: no live record of {iri} in {_store_name(settings)}", err=True)
    sys.exit(EXIT_VIOLATIONS if missing else EXIT_OK)


@main.command()
@click.argument("sparql")
@store_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "turtle"]),
    default="table",
    show_default=True,
)
def query(sparql: str, store_dir: str | None, output_format: str) -> None:
    """Run a SPARQL query against the store (for operators). SPARQL may be @FILE or - (stdin)."""
    if sparql == "-":
        sparql = sys.stdin.read()
    elif sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    settings = _settings(store_dir)
    try:
        with _read_store(settings) as store:
            click.echo(store.serialize(store.query(sparql), output_format), nl=False)
    except GdcatError as e:
        _fail(e)


@main.command()
@store_option
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table"
)
def inventory(store_dir: str | None, output_format: str) -> None:
    """The 1+MG inventory: per country, datasets, individuals, genomes by sequencing type,
    by access level, shareable or not, with linked clinical data or not (as a table, JSON, or
    CSV: one row per country and a totals row)."""
    from gdcat.store import compute_inventory
    from gdcat.store.inventory import count_record_kinds

    settings = _settings(store_dir)
    try:
        with _read_store(settings) as store:
            result = compute_inventory(store)
            kinds = count_record_kinds(store)
    except GdcatError as e:
        _fail(e)
        return
    if output_format == "json":
        document = {**result.to_json(), "catalogue": kinds.to_json()}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif output_format == "csv":
        click.echo(result.to_csv(), nl=False)
    else:
        click.echo(result.to_table())
        click.echo(kinds.to_text())


@main.command()
def profiles() -> None:
    """List the validation profiles, each with what it is for."""
    from gdcat.validate import PROFILE_NAMES
    from gdcat.validate.profiles import get_profile

    width = max(len(name) for name in PROFILE_NAMES)
    for name in PROFILE_NAMES:
        click.echo(f"{name.ljust(width)}  {get_profile(name).purpose}")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the demo nodes' metadata, manifest and node registry are written.",
)
@store_option
@_demo_options
@click.option("--replace", is_flag=True, help="Empty the store first.")
@click.option("--profile", default=None, help="Validation profile (default: gdcat).")
@click.option("--keep-serving", is_flag=True, help="Keep the demo nodes running after the harvest.")
@click.option(
    "--serve/--no-serve",
    "serve_after",
    default=False,
    help="Then serve gdcat itself (API, SPARQL, linked data) until Ctrl-C.",
)
@_serve_options
def demo(
    out: Path,
    store_dir: str | None,
    seed: int,
    datasets: int,
    replace: bool,
    profile: str | None,
    first_port: int,
    keep_serving: bool,
    serve_after: bool,
    host: str,
    port: int,
) -> None:
    """Serve the demo federation as real nodes on 127.0.0.1 (FAIR Data Points, DCAT-AP
    documents, paged feeds, SPARQL endpoints, a Beacon), harvest them into the store, and
    print the harvest report and the 1+MG inventory; with ``--serve``, then serve gdcat at
    http://HOST:PORT/ while the nodes keep running."""
    from gdcat.demo import generate_federation, write_federation
    from gdcat.harvest import Harvester, select_nodes
    from gdcat.harvest.registry import parse_registry
    from gdcat.store import compute_inventory

    settings = _serve_settings(_settings(store_dir), host, port)
    federation = generate_federation(seed=seed, datasets=datasets)
    if out.exists():
        shutil.rmtree(out)
    write_federation(federation, out)
    with _served_demo(federation, first_port) as served:
        registry = served.write_registry(out / "nodes.toml", profile=profile or "gdcat")
        click.echo(f"demo federation: {len(served.nodes)} nodes serving on 127.0.0.1")
        for node in served.nodes:
            click.echo(f"  {node.id:<10} {node.kind:<7} {node.url}")
        click.echo(f"node registry: {registry}")
        try:
            nodes = select_nodes(parse_registry(registry.read_text(), source=str(registry)), [])
            if replace and settings.store_url is None and settings.store_dir.exists():
                if _serving(settings) is not None:
                    with _opened_store(settings):  # says which server holds it
                        pass
                shutil.rmtree(settings.store_dir)
            with _opened_store(settings) as store:
                progress = _harvest_progress if sys.stderr.isatty() else None
                with Harvester(store, settings, progress=progress) as harvester:
                    report = harvester.run(nodes)
                result = compute_inventory(store)
        except GdcatError as e:
            _fail(e)
            return
        click.echo(report.to_text())
        click.echo(f"stored in {_store_name(settings)}\n")
        click.echo(result.to_table())
        if serve_after:
            settings = settings.model_copy(update={"registry_file": registry})
            _serve(settings, host, port)
        elif keep_serving:
            _serve_until_interrupted()


@main.command("demo-nodes")
@_demo_options
@click.option(
    "--registry",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/demo/nodes.toml"),
    show_default=True,
    help="Where to write the node registry naming the served nodes.",
)
def demo_nodes(seed: int, datasets: int, first_port: int, registry: Path) -> None:
    """Serve the demo federation's nodes on 127.0.0.1 until interrupted (Ctrl-C)."""
    from gdcat.demo import generate_federation

    if first_port and _demo_served_already(registry, first_port):
        click.echo(
            f"the demo nodes are served already (port {first_port} is taken, and every node "
            f"{registry} names answers, as under `make run`): not starting a second "
            "federation; to serve another one, stop that one, or pass --first-port 0 and "
            "another --registry",
            err=True,
        )
        return
    federation = generate_federation(seed=seed, datasets=datasets)
    with _served_demo(federation, first_port) as served:
        registry.parent.mkdir(parents=True, exist_ok=True)
        served.write_registry(registry)
        for node in served.nodes:
            click.echo(f"{node.id:<10} {node.kind:<7} {node.url}")
        click.echo(f"node registry: {registry}  (gdcat harvest --nodes {registry})")
        _serve_until_interrupted()


def _demo_served_already(registry: Path, first_port: int) -> bool:
    """Whether ``first_port`` is taken and every node of ``registry`` answers: a demo
    federation (``make run``'s) serves already, and a second one on other ports would give
    the nodes of that registry new addresses."""
    import socket

    import httpx

    from gdcat.harvest import load_registry

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", first_port))
        except OSError:
            pass
        else:
            return False
    try:
        nodes = load_registry(registry)
    except GdcatError:
        return False
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        for node in nodes:
            try:
                client.get(node.url)
            except httpx.HTTPError:
                return False
    return bool(nodes)


@contextmanager
def _served_demo(federation: Federation, first_port: int) -> Iterator[ServedFederation]:
    from gdcat.demo.nodes import serve_federation

    try:
        served = serve_federation(federation, first_port=first_port or None)
    except OSError as e:
        click.echo(
            f"note: port {first_port} and up are not free ({e.strerror}); using free ports",
            err=True,
        )
        served = serve_federation(federation)
    with served:
        yield served


def _serve_settings(settings: Settings, host: str, port: int) -> Settings:
    """When no base IRI was configured, gdcat mints IRIs under the address it serves at, so
    that they dereference."""
    if "base_iri" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return settings.model_copy(update={"base_iri": f"http://{shown}:{port}/"})


def _serve(settings: Settings, host: str, port: int) -> None:
    """Serve the store the settings name until Ctrl-C, announced in its folder (the URL in
    ``server.json``; without a configured admin token, one of this server's own in the
    private ``admin-token``), so that the command line goes through this server."""
    from gdcat.api import create_app
    from gdcat.api.server import serve
    from gdcat.served import announced, local_token

    server = _serving(settings) if settings.store_url is None else None
    if server is not None:
        click.echo(
            f"the store {settings.store_dir} is served already, by gdcat at {server.url} "
            f"(pid {server.pid}); not starting a second server",
            err=True,
        )
        return
    # a local admin token for the command line, announced in the store's folder (a remote
    # store has none: its operator sets GDCAT_ADMIN_TOKEN)
    token = None if settings.admin_token or settings.store_url else local_token()
    if token is not None:
        settings = settings.model_copy(update={"admin_token": token})
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    # uvicorn stops gracefully on SIGTERM, then raises it again: let it end this process as
    # an exit does, so that the store is closed and the announcement removed on the way out.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        with _opened_store(settings) as store:
            app = create_app(settings, store, background_index=True)
            if settings.store_url is not None:  # a remote store: no folder to announce in
                click.echo(f"gdcat serving {_store_name(settings)} at {url}/", err=True)
                click.echo("press Ctrl-C to stop", err=True)
                serve(app, host, port)
            else:
                with announced(
                    settings.store_dir, url, settings.base_iri, settings.registry_file, token
                ):
                    click.echo(f"gdcat serving {settings.store_dir} at {url}/", err=True)
                    click.echo("press Ctrl-C to stop", err=True)
                    serve(app, host, port)
    except GdcatError as e:
        _fail(e)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@main.command("serve")
@store_option
@_serve_options
@click.option(
    "--nodes",
    "registry",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Node registry: its SPARQL nodes are the SERVICE calls allowed.",
)
def serve_command(store_dir: str | None, host: str, port: int, registry: Path | None) -> None:
    """Serve the catalogue: REST search API, SPARQL 1.1 endpoint, linked data, FAIR Data
    Point, DCAT-AP feed and publishing, at http://HOST:PORT/."""
    settings = _serve_settings(_settings(store_dir), host, port)
    if registry is not None:
        settings = settings.model_copy(update={"registry_file": registry})
    _serve(settings, host, port)


@main.command("index")
@store_option
@click.option("--force", is_flag=True, help="Rebuild even when the index is in step.")
def index_command(store_dir: str | None, force: bool) -> None:
    """Bring the search index in step with the store: it is built when missing and rebuilt
    when stale (``gdcat serve`` does the same when it starts); ``--force`` rebuilds it anyway."""
    import time

    from gdcat.search import open_index

    settings = _settings(store_dir)
    started = time.perf_counter()
    try:
        server = _serving(settings)
        if server is not None:  # the server keeps its index in step; rebuild it there
            with _server_client() as client:
                admin = _admin(settings, server, client)
                if force:
                    records = admin.call("POST", "/api/index/rebuild").json()["records"]
                else:
                    answer = admin.call("GET", "/health").json()  # catches the index up
                    records = int(answer["index"]["documents"] or 0)
        else:
            with _opened_store(settings) as store:
                index = open_index(settings, store)
                try:
                    records = index.rebuild() if force else index.size()
                finally:
                    index.close()
    except GdcatError as e:
        _fail(e)
        return
    click.echo(f"search index in step: {records} records ({time.perf_counter() - started:.1f} s)")


@main.command("recount")
@store_option
def recount_command(store_dir: str | None) -> None:
    """Count every live record's share of the counts again and replace the counts (the
    inventory, the home page and the counts graph read them): after a raw SPARQL update made
    them incomplete (the inventory then counts the records themselves, slowly at scale), or
    for a store written before counts existed. Through the server when one holds the store."""
    import time

    settings = _settings(store_dir)
    started = time.perf_counter()
    try:
        server = _serving(settings)
        if server is not None:
            with _server_client() as client:
                admin = _admin(settings, server, client)
                records = int(admin.call("POST", "/api/counts/rebuild").json()["records"])
        else:
            with _opened_store(settings) as store:
                records = store.rebuild_counts()
    except GdcatError as e:
        _fail(e)
        return
    click.echo(f"counts rebuilt: {records} records ({time.perf_counter() - started:.1f} s)")


def _serve_until_interrupted() -> None:
    import time

    click.echo("serving; press Ctrl-C to stop", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.argument("node_ids", nargs=-1, metavar="[NODE]...")
@click.option(
    "--nodes",
    "registry",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Node registry (TOML or YAML; default: $GDCAT_NODES or nodes.toml).",
)
@store_option
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--allow-shrink",
    multiple=True,
    metavar="NODE",
    help="Let NODE withdraw more than its max_shrink share this run (repeatable).",
)
@click.option(
    "--due",
    is_flag=True,
    help="Only the nodes whose schedule says they are due (for cron or a timer).",
)
@click.option(
    "--registered/--no-registered",
    default=True,
    show_default=True,
    help="Also harvest nodes that registered themselves.",
)
def harvest(
    node_ids: Sequence[str],
    registry: Path | None,
    store_dir: str | None,
    dry_run: bool,
    output_format: str,
    allow_shrink: Sequence[str],
    due: bool,
    registered: bool,
) -> None:
    """Harvest national nodes into the store: only what changed is validated and written.

    Exit code 0 when every node was harvested completely (rejected records are reported, not
    failures), 3 when a node was partial or failed, 2 for an unusable registry, 4 when a node
    was left alone because another process is harvesting it (with --due, as from a scheduler,
    that is no failure: 0).
    """

    settings = _settings(store_dir)
    path = registry or Path(os.environ.get("GDCAT_NODES", "nodes.toml"))
    progress = _harvest_progress if sys.stderr.isatty() and output_format == "text" else None
    try:
        server = _serving(settings)
        if server is None:
            report = _harvest_here(
                settings, path, node_ids, dry_run, allow_shrink, due, registered, progress
            )
        else:
            report = _harvest_through(
                settings, server, path, node_ids, dry_run, allow_shrink, due, registered
            )
    except GdcatError as e:
        _fail(e)
        return
    if output_format == "json":
        click.echo(report.to_json_text())
    else:
        click.echo(report.to_text())
        if not dry_run:
            click.echo(_catalogue_kinds(settings))
    if report.status != "complete":
        sys.exit(EXIT_FAILURE)
    if report.elsewhere and not due:
        click.echo(
            f"gdcat: not harvested here: {', '.join(sorted(report.elsewhere))} "
            "(another process is harvesting it; its run report will show the outcome)",
            err=True,
        )
        sys.exit(EXIT_ELSEWHERE)
    sys.exit(EXIT_OK)


def _catalogue_kinds(settings: Settings) -> str:
    """What the catalogue holds after a harvest, by kind, as the pages count it."""
    from gdcat.store.inventory import count_record_kinds

    try:
        with _read_store(settings) as store:
            return count_record_kinds(store).to_text()
    except GdcatError as e:
        _fail(e)
        raise


def _harvest_here(
    settings: Settings,
    path: Path,
    node_ids: Sequence[str],
    dry_run: bool,
    allow_shrink: Sequence[str],
    due: bool,
    registered: bool,
    progress: Callable[[NodeReport], None] | None,
) -> RunReport:
    """The harvest run in this process, on the store opened here."""
    from gdcat.harvest import Harvester, load_registry, select_nodes
    from gdcat.harvest.registration import record_outcomes, registered_nodes

    nodes = load_registry(path)
    with _opened_store(settings) as store:
        if registered:
            ids = {n.id for n in nodes}
            extra = registered_nodes(
                store,
                settings.default_profile,
                allow_private=settings.registration_allow_private,
            )
            nodes += [n for n in extra if n.id not in ids]
        chosen = select_nodes(nodes, node_ids)
        due_at = None
        if due:
            from datetime import UTC, datetime

            from gdcat.harvest.state import due_nodes

            due_at = datetime.now(UTC)
            chosen = due_nodes(store, chosen, due_at)
        if progress is not None:
            click.echo(f"harvesting {len(chosen)} node(s)…", err=True)
        with Harvester(store, settings, progress=progress) as harvester:
            report = harvester.run(
                chosen, dry_run=dry_run, allow_shrink=allow_shrink, due_at=due_at
            )
        if not dry_run:
            record_outcomes(store, {n.node: n.status for n in report.nodes})
    return report


def _harvest_through(
    settings: Settings,
    server: Announcement,
    path: Path,
    node_ids: Sequence[str],
    dry_run: bool,
    allow_shrink: Sequence[str],
    due: bool,
    registered: bool,
) -> RunReport:
    """The harvest run by the server holding the store (``POST /api/harvest``), waited for.
    The server harvests its own node registry: it must be the one this command names."""
    import time

    from gdcat.harvest.report import RunReport
    from gdcat.served import ServerUnreachableError

    if server.registry is None or Path(server.registry) != path.resolve():
        served = f"the node registry {server.registry}" if server.registry else "no node registry"
        raise ServerUnreachableError(
            f"the store {settings.store_dir} is held by the gdcat server at {server.url}, which "
            f"harvests {served}, not {path}: harvest through it with that registry, or restart "
            f"it with --nodes {path}"
        )
    params: list[tuple[str, str]] = [("node", n) for n in node_ids]
    params += [("allow_shrink", n) for n in allow_shrink]
    params += [
        ("dry_run", str(dry_run).lower()),
        ("due", str(due).lower()),
        ("registered", str(registered).lower()),
    ]
    if sys.stderr.isatty():
        click.echo(f"harvesting through the gdcat server at {server.url}…", err=True)
    with _server_client() as client:
        admin = _admin(settings, server, client)
        job = admin.call("POST", "/api/harvest", params=params, expect=(202,)).json()
        while True:
            answer = admin.call("GET", f"/api/harvest/jobs/{job['id']}/report").json()
            if answer["job"]["status"] != "running":
                break
            time.sleep(0.2)
    if answer["report"] is None:
        raise GdcatError(
            f"the harvest on the server at {server.url} failed: {answer['job']['error']}"
        )
    return RunReport.from_json(answer["report"])


def _harvest_progress(node: NodeReport) -> None:
    c = node.counts()
    click.echo(
        f"  {node.node}: {node.status}, +{c['added']} ~{c['updated']} ={c['unchanged']} "
        f"-{c['withdrawn']} x{c['rejected']} ({node.seconds:.1f} s)",
        err=True,
    )


@main.command()
@click.argument("client_url")
@store_option
@click.option(
    "--allow-private",
    is_flag=True,
    help="Accept loopback and private addresses (test and intranet set-ups; harvesting "
    "them also needs GDCAT_REGISTRATION_ALLOW_PRIVATE=true).",
)
def register(client_url: str, store_dir: str | None, allow_private: bool) -> None:
    """Queue a FAIR Data Point that announces itself (FDP-style ping); the next harvest
    reads it."""
    from gdcat.harvest.registration import register as do_register

    settings = _settings(store_dir)
    try:
        with _opened_store(settings) as store:
            registration = do_register(store, client_url, allow_private=allow_private)
    except GdcatError as e:
        _fail(e)
        return
    click.echo(
        f"{registration.client_url}: registered as node {registration.node_id} "
        f"({registration.status})"
    )


@main.command()
@store_option
@click.option("--since", default=None, help="Only changes after this time (ISO 8601, with zone).")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "turtle"]), default="text"
)
def changes(store_dir: str | None, since: str | None, limit: int, output_format: str) -> None:
    """The change feed: records created, updated or withdrawn (tombstones), oldest first."""
    from datetime import datetime

    from gdcat.harvest.feed import changes as read_changes
    from gdcat.harvest.feed import changes_graph

    settings = _settings(store_dir)
    try:
        moment = None
        if since is not None:
            try:
                moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            except ValueError:
                raise InputError(f"--since is not an ISO 8601 date-time: {since!r}") from None
        with _read_store(settings) as store:
            items = read_changes(store, since=moment, limit=limit)
    except GdcatError as e:
        _fail(e)
        return
    if output_format == "json":
        click.echo(json.dumps([c.to_json() for c in items], indent=2))
    elif output_format == "turtle":
        click.echo(changes_graph(items).serialize(format="turtle"))
    else:
        for c in items:
            click.echo(f"{c.modified.isoformat()}  {c.status.value:<8} {c.dataset}")


# -- steward tokens -----------------------------------------------------------------------

if TYPE_CHECKING:
    from gdcat.publish import TokenFile

tokens_option = click.option(
    "--tokens",
    "tokens_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The tokens file (default: $GDCAT_TOKENS_FILE or var/tokens.json).",
)


@main.group()
def token() -> None:
    """Steward tokens: each lets a node's stewards publish that node's datasets. Only their
    SHA-256 is stored (mode 0600); a token is shown once, when it is created."""


def _token_file(tokens_file: Path | None) -> TokenFile:
    from gdcat.publish import TokenFile

    return TokenFile(tokens_file or _settings().tokens_file)


@token.command("create")
@click.argument("node")
@click.option(
    "--country", default=None, help="The node's country (ISO 3166-1 alpha-3 or alpha-2: NLD, NL)."
)
@click.option("--label", default=None, help="Whom or what the token is for.")
@tokens_option
def token_create(
    node: str, country: str | None, label: str | None, tokens_file: Path | None
) -> None:
    """Create a token for NODE and print it (once: it cannot be shown again).

    The token alone goes to standard output, so that TOKEN=$(gdcat token create nl) keeps
    it; its id and node go to standard error. Exit 2 for an unusable node id or country, 3 if
    the tokens file cannot be written.
    """
    try:
        files = _token_file(tokens_file)
        created, secret = files.create(node, country=country, label=label)
    except GdcatError as e:
        _fail(e)
        return
    where = f" ({created.country})" if created.country else ""
    click.echo(
        f"created token {created.id} for node {created.node}{where} in {files.path}; "
        "it is shown only now:",
        err=True,
    )
    click.echo(secret)


@token.command("list")
@tokens_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def token_list(tokens_file: Path | None, output_format: str) -> None:
    """List the tokens (ids, nodes, labels; never the tokens themselves)."""
    try:
        items = _token_file(tokens_file).tokens()
    except GdcatError as e:
        _fail(e)
        return
    if output_format == "json":
        click.echo(json.dumps([t.public() for t in items], indent=2, ensure_ascii=False))
        return
    if not items:
        click.echo("no tokens")
    for t in items:
        state = f"revoked {t.revoked}" if t.revoked else "active"
        country = t.country or "-"
        label = f"  {t.label}" if t.label else ""
        click.echo(f"{t.id}  {t.node:<12} {country:<4} created {t.created}  {state}{label}")


@token.command("revoke")
@click.argument("token_id", metavar="ID")
@tokens_option
def token_revoke(token_id: str, tokens_file: Path | None) -> None:
    """Revoke the token ID at once (the server reads the file again on the next request).
    Exit 1 when there is no such token."""
    try:
        revoked = _token_file(tokens_file).revoke(token_id)
    except GdcatError as e:
        _fail(e)
        return
    if revoked is None:
        click.echo(f"error: no token {token_id}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"revoked {revoked.id} (node {revoked.node}) at {revoked.revoked}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--node", required=True, help="Your node's id (the token's node), e.g. nl.")
@click.option(
    "--server",
    required=True,
    help="The running gdcat to publish to, e.g. http://127.0.0.1:8000.",
)
@click.option(
    "--token-env",
    required=True,
    metavar="VAR",
    help="The environment variable holding the node's token (never the token itself).",
)
def publish(files: Sequence[Path], node: str, server: str, token_env: str) -> None:
    """Publish the datasets of FILES to a running gdcat (POST /api/nodes/NODE/datasets).

    Each file (Turtle, JSON-LD, RDF/XML, N-Triples, steward YAML, or a filled spreadsheet
    template: .xlsx, .csv) is one document: its datasets are published together, or none of
    them if one is refused. Prints what was published, or each refused dataset with its file,
    sheet, row and column. Exit 0 when every file was published, 1 when one was refused, 2
    for unusable input, a missing token or a server out of reach.
    """
    import httpx

    from gdcat.publish.client import TIMEOUT, publish_file

    token_value = os.environ.get(token_env, "").strip()
    if not token_value:
        click.echo(
            f"error: the environment variable {token_env} holds no token; set it first, "
            f"e.g. {token_env}=$(gdcat token create {node})",
            err=True,
        )
        sys.exit(EXIT_UNUSABLE)
    code = EXIT_OK
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
        for path in files:
            outcome = publish_file(path, node=node, server=server, token=token_value, client=client)
            for line in outcome.lines:
                click.echo(line, err=outcome.code == 2)
            code = max(code, outcome.code)
    sys.exit(code)


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: gdcat-template.xlsx or .csv; - for standard output).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "de", "fr", "nl"]),
    default="en",
    show_default=True,
    help="The language of the XLSX labels, help texts and instructions (column names stay "
    "the steward field names).",
)
def template(output_format: str, output: Path | None, lang: str) -> None:
    """Write the steward spreadsheet template: one row per dataset, a column per field, an
    example row (XLSX: drop-down lists of the allowed values, help in the header comments, an
    instructions sheet). Fill it in, check it with `gdcat validate`, publish it with
    `gdcat publish`."""
    from gdcat.model.template import template_csv, template_xlsx

    data = template_xlsx(lang) if output_format == "xlsx" else template_csv()
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = output or Path(f"gdcat-template.{output_format}")
    try:
        target.write_bytes(data)
    except OSError as e:
        click.echo(f"error: cannot write {target}: {e.strerror}", err=True)
        sys.exit(EXIT_UNUSABLE)
    click.echo(f"wrote {target}", err=True)


if __name__ == "__main__":
    main()
