"""A real Virtuoso (``virtuoso-t`` from Debian's ``virtuoso-opensource``) for the remote-store
tests: started in the foreground on free ports of 127.0.0.1, in a folder of its own with its
own ``virtuoso.ini`` (small buffers), polled until it answers, stopped at the end.

Creating a Virtuoso database takes half a minute (it loads its own SQL and RDF schema), so a
fresh database is made once (kept in :func:`template_cache`, named by its setup), set
up as docs/operator-guide.md tells an operator (:func:`setup_statements`), and copied for each
server: a copy starts in a second or two.

The update user is ``gdcat`` with the ``SPARQL_UPDATE`` role, the documented way to let a user
write through the authenticated endpoints (``/sparql-auth`` and ``/sparql-graph-crud-auth``,
HTTP digest authentication), and write permission on the graphs.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gdcat.settings import Settings
from gdcat.store.remote import FLAVOURS

USER = "gdcat"
PASSWORD = "gdcat-test-password"
#: The graphs a fresh Virtuoso database holds (its own schemas), made private.
SYSTEM_GRAPHS = FLAVOURS["virtuoso"].system_graphs


def virtuoso_executable() -> str | None:
    """``virtuoso-t`` on the PATH, or None when Virtuoso is not installed."""
    return shutil.which("virtuoso-t")


def require_virtuoso() -> None:
    """Skip the test where Virtuoso is not installed; fail it in CI, which installs it
    (``.ci/run``)."""
    if virtuoso_executable() is not None:
        return
    message = "virtuoso-t is missing: apt-get install virtuoso-opensource (.ci/run does)"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(message)
    pytest.skip(message)


def isql_executable() -> str:
    found = shutil.which("isql-vt") or shutil.which("isql")
    if found is None:
        raise RuntimeError("virtuoso-t is installed but not its isql-vt")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ini(folder: Path, sql_port: int, http_port: int) -> str:
    """A ``virtuoso.ini`` for a test server: everything in ``folder``, loopback ports, small
    buffers (about 100 MB of memory), answers long enough for a catalogue's record lists."""
    return f"""\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
MaxQueryCostEstimationTime = 400
"""


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t`` over ``folder``."""

    folder: Path
    url: str
    sql_port: int
    process: subprocess.Popen[bytes]

    def isql(self, statements: str) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt``; their output."""
        done = subprocess.run(
            [isql_executable(), f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def kill(self) -> None:
        """Kill the engine at once (SIGKILL: no checkpoint, no goodbye)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        """Start the engine again over the same folder and ports (after :meth:`kill`): it
        rolls its transaction log forward, as after a crash."""
        if self.process.poll() is None:
            raise RuntimeError("virtuoso-t is still running")
        (self.folder / "virtuoso.lck").unlink(missing_ok=True)
        http_port = int(self.url.rstrip("/").rsplit(":", 1)[1])
        self.process = _start(self.folder, (self.sql_port, http_port)).process


def _start(folder: Path, ports: tuple[int, int] | None = None) -> VirtuosoServer:
    """``virtuoso-t`` over ``folder`` on ``ports`` (SQL, HTTP: free ones unless given)."""
    executable = virtuoso_executable()
    if executable is None:
        raise RuntimeError(
            "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
        )
    sql_port, http_port = ports or (_free_port(), _free_port())
    ini = folder / "virtuoso.ini"
    ini.write_text(_ini(folder, sql_port, http_port))
    log = (folder / "console.log").open("ab")
    process = subprocess.Popen(
        [executable, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = VirtuosoServer(folder, f"http://127.0.0.1:{http_port}/", sql_port, process)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                tail = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {tail}")
            try:
                asked = httpx.get(server.url + "sparql", params={"query": "ASK {}"}, timeout=2)
                if asked.is_success:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("virtuoso-t did not answer within 120 s")
            time.sleep(0.1)
    except BaseException:
        _stop(server)
        raise


def _stop(server: VirtuosoServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _template(cache: Path) -> Path:
    """The folder of a fresh database with gdcat's update user, made once (under a lock, so
    that parallel test workers share it)."""
    setup = setup_statements(USER, PASSWORD)
    # named by what it was made with: a changed setup or Virtuoso makes a new one
    made_by = f"{setup}\n{virtuoso_executable()}\n{_installed(virtuoso_executable())}"
    name = "virtuoso-template-" + hashlib.sha256(made_by.encode()).hexdigest()[:12]
    cache.mkdir(parents=True, exist_ok=True)
    template = cache / name
    with (cache / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (template / "virtuoso.db").exists():
            return template
        making = cache / f"{name}.making"
        shutil.rmtree(making, ignore_errors=True)
        making.mkdir(parents=True)
        server = _start(making)
        try:
            server.isql(setup + " checkpoint;")
        finally:
            _stop(server)
        for name in ("virtuoso.log", "console.log", "virtuoso.ini", "virtuoso.trx"):
            (making / name).unlink(missing_ok=True)
        making.rename(template)
        return template


def setup_statements(user: str, password: str) -> str:
    """The SQL that makes a fresh Virtuoso ready for gdcat, as docs/operator-guide.md
    (section Virtuoso) tells an operator: an update user, Virtuoso's own graphs made private
    (else every answer holds its RDF views' schema), everyone reading the other graphs, and
    the update user writing them."""
    private = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
    statements = [
        f"DB.DBA.USER_CREATE('{user}', '{password}');",
        f'GRANT SPARQL_UPDATE TO "{user}";',
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE('{private}', 1);",
        *(f"DB.DBA.RDF_GRAPH_GROUP_INS('{private}', '{graph}');" for graph in SYSTEM_GRAPHS),
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1, 0);",  # read the public graphs
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1);",  # and none of the private
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 3, 0);",  # read and write the public
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 0, 1);",  # and none of the private
    ]
    return " ".join(statements)


def _installed(executable: str | None) -> float:
    """When ``executable`` was installed (its modification time), 0 when it is missing."""
    return Path(executable).stat().st_mtime if executable else 0.0


def template_cache() -> Path:
    """Where the fresh database is kept between test runs (and shared by xdist workers)."""
    return Path(tempfile.gettempdir()) / f"gdcat-test-virtuoso-{os.getuid()}"


@contextmanager
def virtuoso_server(folder: Path, cache: Path | None = None) -> Iterator[VirtuosoServer]:
    """``virtuoso-t`` over ``folder`` (a copy of the fresh database, kept in ``cache``, unless
    ``folder`` holds one already); stopped at the end, killed if it does not stop."""
    cache = cache or template_cache()
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "virtuoso.db").exists():
        shutil.copy(_template(cache) / "virtuoso.db", folder / "virtuoso.db")
    server = _start(folder)
    try:
        yield server
    finally:
        _stop(server)


def virtuoso_settings(request: pytest.FixtureRequest, **settings: Any) -> Settings:
    """Settings for gdcat on the session's Virtuoso (``virtuoso_url``), cleared first."""
    url: str = request.getfixturevalue("virtuoso_url")
    clear(url)
    return Settings(
        store_url=url,
        store_kind="auto",
        store_user=USER,
        store_password=PASSWORD,
        **settings,
    )


def clear(url: str) -> None:
    """Remove every graph but Virtuoso's own (a clean store for the next test)."""
    auth = httpx.DigestAuth(USER, PASSWORD)
    with httpx.Client(auth=auth, timeout=60) as client:
        listed = client.post(
            url + "sparql",
            # GROUP BY: a DISTINCT ?g times out on a Virtuoso with private graphs
            data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"Accept": "application/sparql-results+json"},
        )
        listed.raise_for_status()
        graphs = [
            row["g"]["value"]
            for row in listed.json()["results"]["bindings"]
            if row["g"]["value"] not in SYSTEM_GRAPHS
        ]
        if not graphs:
            return
        update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        cleared = client.post(
            url + "sparql-auth",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        cleared.raise_for_status()
