"""gdcat at 10,000, 100,000 and 1,000,000 generated datasets: loading, serving, counting.

For each size, in one run on the same generated records (``gdcat.demo.scale``, seed 7, about
93 triples each, in the layout a harvest writes: ``gdcat.demo.scale_load``):

- **load**: gdcat's streaming loader fills a new on-disk store (records generated and written
  as N-Quads while Oxigraph's bulk loader indexes them, no whole document in memory); side by
  side (``--compare``), the same N-Quads written to a file first and loaded by pyoxigraph's
  ``Store.bulk_load`` alone (the engine's limit, generation not included) and by ``oxigraph
  load`` (the Oxigraph server's bulk loader) into the directory the server then serves;
- **serve**: ``gdcat serve`` started on the store (the start builds the search index), then
  over HTTP with keep-alive from this process: search with six facets p50 / p95, one dataset
  as Turtle p50 / p95, the inventory (``/api/inventory``, read from the counts kept in the
  store), and through ``/sparql`` the facet count by country as a ``GROUP BY`` over every
  dataset (what the engine does) and read from the counts graph (``{base}graph/counts``);
- with ``--server`` the same reads against ``gdcat serve`` over an Oxigraph server
  (``oxigraph serve`` of the directory ``oxigraph load`` filled).

    PYTHONPATH=src nice .venv/bin/python bench/scale.py --sizes 10000,100000 --compare --server
    PYTHONPATH=src nice .venv/bin/python bench/scale.py --sizes 1000000 --store 1000000=DIR --server

``--store SIZE=DIR --during-build`` measures what such a store's server answers while its
search index is still being built (first answer, search's 503, one dataset, the inventory and
counts, the home page), without waiting for the index.

``--store SIZE=DIR`` measures a store filled before (``python -m gdcat.demo.scale_load``,
whose figures are read from ``DIR/../load.json`` when present; with ``--server`` the Oxigraph
server then serves that same directory, with the index the embedded run built). ``--index
DIR`` keeps that index between runs (a million records' takes about an hour to build; an
index on disk answers at once and is checked against the store in the background, which the
reads wait for), ``--server-only`` measures the Oxigraph server alone and keeps the embedded
figures. Results are merged into ``bench/results/scale.json`` by size.

    PYTHONPATH=src nice .venv/bin/python bench/scale.py --sizes 1000000 \
        --store 1000000=DIR/store --server --requests 200 --index DIR/index
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import (
    BIN,
    PREFIXES,
    Server,
    _free_port,
    dataset_call,
    gdcat_env,
    percentiles,
    search_call,
    search_params,
    sparql_call,
    timed,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "scale.json"
SEED = 7

FACET_COUNT = (
    PREFIXES + "SELECT ?country (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dct:spatial ?country ; "
    "dct:title ?t } GROUP BY ?country ORDER BY DESC(?n)"
)


def counted_facet_query(base: str) -> str:
    """The datasets by country, read from the counts the store keeps."""
    return (
        f"SELECT ?country ?n WHERE {{ GRAPH <{base}graph/counts> {{ <{base}graph/counts> ?c ?n . "
        f"?c <{base}graph/counts#measure> <{base}graph/counts#datasets> ; <{base}graph/counts#country> ?country "
        f"FILTER NOT EXISTS {{ ?c <{base}graph/counts#type> ?type }} }} }} ORDER BY DESC(?n)"
    )


def size_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def load_gdcat(n: int, store_dir: Path, base: str) -> dict[str, Any]:
    """gdcat's streaming loader, in a child process (its own peak memory)."""
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from gdcat.demo.scale_load import fill_scale_store\n"
        f"f = fill_scale_store({n}, Path({str(store_dir)!r}), {base!r}, seed={SEED}, workers=2)\n"
        "print(json.dumps({'records': f.records, 'quads': f.quads, 'seconds': f.seconds,"
        " 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    return _load_in_child(script)


def _load_in_child(script: str) -> dict[str, Any]:
    """Run a loading ``script`` in a child process (its own peak memory); the JSON it prints
    last, with the quads per second."""
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=_env()
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["quads_per_second"] = round(result["quads"] / result["seconds"])
    return result


def write_nquads(n: int, path: Path, base: str) -> dict[str, Any]:
    """The same N-Quads the loader streams, written to a file (for the engines' loaders)."""
    from gdcat.demo.scale_load import scale_nquads

    start = time.perf_counter()
    size = 0
    with path.open("wb") as out:
        for chunk in scale_nquads(n, base, seed=SEED, workers=2):
            out.write(chunk)
            size += len(chunk)
    return {"seconds": round(time.perf_counter() - start, 1), "mb": round(size / 2**20, 1)}


def load_pyoxigraph(nquads: Path, store_dir: Path) -> dict[str, Any]:
    script = (
        "import json, resource, time, pyoxigraph as ox\n"
        f"start = time.perf_counter(); s = ox.Store({str(store_dir)!r})\n"
        f"s.bulk_load(path={str(nquads)!r}, format=ox.RdfFormat.N_QUADS); s.flush()\n"
        "q = len(s); t = time.perf_counter() - start\n"
        "print(json.dumps({'quads': q, 'seconds': t,"
        " 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    return _load_in_child(script)


def load_oxigraph_cli(nquads: Path, store_dir: Path, quads: int) -> dict[str, Any]:
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(store_dir), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "quads_per_second": round(quads / seconds)}


def compare_loaders(n: int, work: Path, base: str, rounds: int) -> dict[str, Any]:
    """The load itself, side by side and interleaved on the same N-Quads (generation not
    timed): pyoxigraph's ``bulk_load`` of the file; gdcat's streaming loader fed the same
    bytes in chunks (``bulk_load_chunks``: the scale loader's write path); and the store's
    bulk path (``OxigraphStore.put_records(bulk=True)``, what ``gdcat load`` and a first
    harvest use) given the same records parsed and split beforehand."""
    import pyoxigraph as ox

    from gdcat.demo.scale import iter_node_documents
    from gdcat.rdf import parse_bytes, split_records
    from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
    from gdcat.store.oxigraph import bulk_load_chunks

    nquads = work / "compare.nq"
    write_nquads(n, nquads, base)
    writes = []
    for node, chunks in iter_node_documents(n, seed=SEED):
        graph = parse_bytes("".join(chunks).encode(), "turtle", max_bytes=2**40)
        meta = RecordMeta(
            source=node.base,
            content_hash="",
            profile="healthdcat-ap-r8",
            outcome="conforms",
            node=node.country.code,
            country=node.country.iso3,
        )
        writes += [
            RecordWrite(r.iri, r.graph, dataclasses.replace(meta, content_hash=r.content_hash))
            for r in split_records(graph)
            if r.kind == "Dataset"
        ]

    def raw(target: Path) -> int:
        store = ox.Store(str(target))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.flush()
        return len(store)

    def streamed(target: Path) -> int:
        def chunks() -> Any:
            with nquads.open("rb") as source:
                pending = b""
                while block := source.read(1 << 22):
                    block = pending + block
                    cut = block.rfind(b"\n") + 1
                    pending = block[cut:]
                    yield block[:cut]

        store = ox.Store(str(target))
        bulk_load_chunks(store, chunks())
        store.flush()
        return len(store)

    def through_store(target: Path) -> int:
        with OxigraphStore(target, base) as store:
            store.put_records(writes, bulk=True)
            return store.count_triples()

    loaders = {
        "pyoxigraph bulk_load (file)": raw,
        "gdcat streaming loader (same bytes)": streamed,
        "gdcat put_records(bulk=True) (records)": through_store,
    }
    seconds: dict[str, list[float]] = {name: [] for name in loaders}
    counting: dict[str, Any] = {}
    quads: dict[str, int] = {}
    for round_ in range(rounds):
        for name, load in loaders.items():
            target = work / f"compare-{round_}"
            start = time.perf_counter()
            quads[name] = load(target)
            seconds[name].append(time.perf_counter() - start)
            print(f"[{n:,}] {name}: {seconds[name][-1]:.1f} s, {quads[name]:,} quads", flush=True)
            if load is through_store and round_ == rounds - 1:
                counting = count_in_process(target, base)
                print(f"[{n:,}] counting in process: {counting}", flush=True)
            shutil.rmtree(target, ignore_errors=True)
    nquads.unlink(missing_ok=True)
    limit = min(seconds["pyoxigraph bulk_load (file)"])
    compared: dict[str, Any] = {
        name: {
            "quads": quads[name],
            "best_seconds": round(min(times), 1),
            "runs": [round(t, 1) for t in times],
            "quads_per_second": round(quads[name] / min(times)),
            "ratio_to_bulk_load": round(limit / min(times), 2),
        }
        for name, times in seconds.items()
    }
    compared["counting_in_process"] = counting
    return compared


def count_in_process(store_dir: Path, base: str) -> dict[str, Any]:
    """The inventory and the facet count by country on the store, in this process (no HTTP,
    no cache): read from the counts, and the facet count as a ``GROUP BY`` over every dataset
    (the inventory's own recount is left out: it takes minutes from 10,000 datasets)."""
    from gdcat.store import OxigraphStore
    from gdcat.store.inventory import compute_inventory, count_record_kinds

    def median_ms(call: Any, runs: int) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(times), 2)

    with OxigraphStore(store_dir, base) as store:
        return {
            "inventory_from_counts_ms": median_ms(lambda: compute_inventory(store), 10),
            "record_kinds_from_counts_ms": median_ms(lambda: count_record_kinds(store), 10),
            "facet_count_from_counts_ms": median_ms(
                lambda: store.query(counted_facet_query(base), union_default_graph=False), 10
            ),
            "facet_count_group_by_ms": median_ms(lambda: store.query(FACET_COUNT), 3),
        }


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def start_gdcat_on(store: str, port: int, env: dict[str, str]) -> Server:
    """``gdcat serve --store STORE``, once its search answers (the index built). The server
    answers before that (its index is built in a thread): ``first_answer_seconds`` is when
    it first answered, ``search_while_building`` what search said then, and
    ``start_seconds`` when the index was ready."""
    started = time.perf_counter()
    server = Server(
        [str(BIN / "gdcat"), "serve", "--store", store, "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/health",
        env,
        deadline=7200,
    )
    server.first_answer_seconds = server.start_seconds  # type: ignore[attr-defined]
    server.search_while_building = None  # type: ignore[attr-defined]
    server.stalls = []  # type: ignore[attr-defined]
    server.search_first_ok = None  # type: ignore[attr-defined]
    give_up = time.monotonic() + 7200
    while time.monotonic() < give_up:
        asked = time.perf_counter()
        try:
            response = httpx.get(server.url + "/api/datasets?page_size=1", timeout=60)
        except httpx.HTTPError as e:
            if server.process.poll() is not None:
                server.stop()
                raise RuntimeError(f"gdcat exited: {server.log_tail()!r}") from e
            # an answer that takes a minute while the index builds is a finding, not an end
            server.stalls.append(round(asked - started, 1))  # type: ignore[attr-defined]
            continue
        if response.status_code == 200:
            if server.search_first_ok is None:  # type: ignore[attr-defined]
                server.search_first_ok = time.perf_counter() - started  # type: ignore[attr-defined]
            # an index on disk answers at once, while the store is read to check it: the
            # reads are measured once that check (or a rebuild) is over
            if not httpx.get(server.url + "/health", timeout=60).json()["index"]["rebuilding"]:
                break
            time.sleep(1.0)
            continue
        failure = httpx.get(server.url + "/health", timeout=60).json()["index"].get("failure")
        if failure:
            server.stop()
            raise RuntimeError(f"the search index failed: {failure}; {server.log_tail()!r}")
        if server.search_while_building is None:  # type: ignore[attr-defined]
            server.search_while_building = {  # type: ignore[attr-defined]
                "status": response.status_code,
                "retry_after": response.headers.get("Retry-After"),
                "at_seconds": round(time.perf_counter() - started, 1),
            }
        time.sleep(1.0)
    else:
        server.stop()
        raise RuntimeError("the search index was not ready within two hours")
    if response.status_code != 200:
        server.stop()
        raise RuntimeError(f"search failed: {response.status_code} {response.text[:300]}")
    server.start_seconds = time.perf_counter() - started
    return server


def start_facts(server: Server) -> dict[str, Any]:
    """When ``server`` first answered, what search said while its index was built, when the
    index was ready."""
    return {
        "first_answer_seconds": round(server.first_answer_seconds, 1),  # type: ignore[attr-defined]
        "search_while_building": server.search_while_building,  # type: ignore[attr-defined]
        # search first answered 200 (an index on disk answers before it is checked)
        "search_answers_seconds": round(server.search_first_ok, 1),  # type: ignore[attr-defined]
        "serve_start_seconds": round(server.start_seconds, 1),
        # when (seconds after the start) a poll of search got no answer within 60 s
        "stalls_at_seconds": server.stalls,  # type: ignore[attr-defined]
    }


def index_free_reads(
    client: httpx.Client,
    keys: list[str],
    rng: random.Random,
    requests: int,
    base: str,
    *,
    home_first: bool = True,
) -> dict[str, Any]:
    """The reads that do not need the search index: one dataset as Turtle and as HTML (of
    ``keys``), the home page, the inventory and the facet count read from the counts graph."""
    out: dict[str, Any] = {}
    calls = [dataset_call(rng.choice(keys)) for _ in range(requests)]
    timed(client, calls[:20])
    out["dataset_turtle"] = percentiles(timed(client, calls))
    pages = [
        (lambda key: lambda c: c.get(f"/dataset/{key}", headers={"Accept": "text/html"}))(
            rng.choice(keys)
        )
        for _ in range(max(20, requests // 4))
    ]
    out["dataset_html"] = percentiles(timed(client, pages))
    home = [lambda c: c.get("/", headers={"Accept": "text/html"})]
    if home_first:
        out["home_first_ms"] = round(timed(client, home)[0], 1)
    out["home"] = percentiles(timed(client, home * 20))
    first = timed(client, [lambda c: c.get("/api/inventory")])[0]
    again = timed(client, [lambda c: c.get("/api/inventory")] * 20)
    out["inventory"] = {"first_ms": round(first, 1), **percentiles(again)}
    counted = sparql_call("/sparql", counted_facet_query(base), "application/sparql-results+json")
    out["sparql_facet_counted"] = percentiles(timed(client, [counted] * 20))
    return out


def reads(server: Server, base: str, requests: int, seed: int) -> dict[str, Any]:
    """Search, one dataset, the inventory and the facet counts through ``server``."""
    rng = random.Random(seed)
    out: dict[str, Any] = {}
    with httpx.Client(base_url=server.url, timeout=600) as client:
        # The home page first: it waits for the listing of every live record, which the
        # server reads in a thread at start (minutes at a million records) and which would
        # otherwise share the CPU with the searches measured next.
        home = [lambda c: c.get("/", headers={"Accept": "text/html"})]
        out["home_first_ms"] = round(timed(client, home)[0], 1)
        hits = client.get("/api/datasets", params={"page_size": "100"}).json()["hits"]
        keys = [h["key"] for h in hits]
        # Search keeps the facet counts of recent searches for the index generation (40
        # different searches here): the first time each is asked is reported apart.
        warm: list[dict[str, str | list[str]]] = [
            {"q": word, "page_size": "20"} for word in ("sequencing", "study", "samples")
        ]
        timed(client, [search_call(p) for p in warm])
        asked = search_params(rng, requests)
        times = timed(client, [search_call(p) for p in asked])
        seen: set[str] = set()
        first = []
        for params, ms in zip(asked, times, strict=True):
            key = json.dumps(params, sort_keys=True)
            if key not in seen:
                seen.add(key)
                first.append(ms)
        out["search"] = percentiles(times)
        out["search_first_time_each"] = percentiles(first)
        out.update(index_free_reads(client, keys, rng, requests, base, home_first=False))
        json_accept = "application/sparql-results+json"
        answers = []
        for query in (counted_facet_query(base), FACET_COUNT):
            response = client.post(
                "/sparql", data={"query": query}, headers={"Accept": json_accept}
            )
            if response.status_code != 200:
                answers.append(None)
                continue
            bindings = response.json()["results"]["bindings"]
            answers.append({row["country"]["value"]: int(row["n"]["value"]) for row in bindings})
        out["facet_counts_agree"] = answers[0] == answers[1] if answers[1] is not None else None
        grouped: list[float] = []
        for _ in range(3):
            start = time.perf_counter()
            response = client.post(
                "/sparql", data={"query": FACET_COUNT}, headers={"Accept": json_accept}
            )
            grouped.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                out["sparql_facet_group_by"] = {
                    "status": response.status_code,
                    "after_ms": round(grouped[-1], 1),
                    "answer": response.text[:300],
                }
                break
        else:
            out["sparql_facet_group_by"] = {"median_ms": round(statistics.median(grouped), 1)}
    out["gdcat_peak_rss_mb"] = round(server.peak_rss_mb(), 0)
    return out


def during_build(
    size: int, store_dir: Path, work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """``gdcat serve`` on a store filled before, measured while its search index is still
    being built (no index yet): when it first answers, what search says, and the reads that
    do not need the index (one dataset, the inventory and the counts, the home page), then
    stopped without waiting for the index."""
    base = args.base
    port = _free_port()
    env = gdcat_env(store_dir, work, base)
    started = time.perf_counter()
    server = Server(
        [str(BIN / "gdcat"), "serve", "--store", str(store_dir), "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/health",
        env,
        deadline=1800,
    )
    out: dict[str, Any] = {"datasets": size, "first_answer_seconds": round(server.start_seconds, 1)}
    rng = random.Random(size)
    try:
        with httpx.Client(base_url=server.url, timeout=1800) as client:
            search = client.get("/api/datasets", params={"page_size": "1"})
            out["search_while_building"] = {
                "status": search.status_code,
                "retry_after": search.headers.get("Retry-After"),
            }
            prov = f"{base}graph/provenance"
            query = (
                f"SELECT ?r WHERE {{ GRAPH <{prov}> {{ ?r <http://xmlns.com/foaf/0.1/primaryTopic> ?d }} }} "
                f"LIMIT {args.requests * 5}"
            )
            rows = client.post(
                "/sparql",
                data={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"]
            keys = [row["r"]["value"].rsplit("/", 1)[1] for row in rows]
            out.update(index_free_reads(client, keys, rng, args.requests, base))
            out["index_still_building"] = (
                client.get("/api/datasets", params={"page_size": "1"}).status_code == 503
            )
        out["gdcat_peak_rss_mb"] = round(server.peak_rss_mb(), 0)
        out["seconds_since_start"] = round(time.perf_counter() - started, 1)
    finally:
        server.stop()
    return out


def measure(size: int, args: argparse.Namespace, work: Path, given: Path | None) -> dict[str, Any]:
    port = _free_port()
    base = args.base
    result: dict[str, Any] = {"datasets": size}
    if given is not None:
        store_dir = given
        load_file = given.parent / "load.json"
        if load_file.exists():
            result["load_gdcat"] = json.loads(load_file.read_text())
    else:
        store_dir = work / "store"
        print(f"[{size:,}] gdcat's streaming loader", flush=True)
        result["load_gdcat"] = load_gdcat(size, store_dir, base)
        print(f"[{size:,}] {result['load_gdcat']}", flush=True)
    result["store_mb"] = size_mb(store_dir)
    nquads = work / "records.nq"
    if args.compare or (args.server and given is None):
        print(f"[{size:,}] the same N-Quads to a file", flush=True)
        result["nquads_file"] = write_nquads(size, nquads, base)
    if args.compare:
        raw = load_pyoxigraph(nquads, work / "raw")
        result["load_pyoxigraph_bulk_load"] = raw
        result["load_ratio_gdcat_to_bulk_load"] = round(
            result["load_gdcat"]["quads_per_second"] / raw["quads_per_second"], 2
        )
        print(f"[{size:,}] pyoxigraph bulk_load {raw}", flush=True)
        shutil.rmtree(work / "raw", ignore_errors=True)
    env = with_index(gdcat_env(store_dir, work, base), args)
    if not args.server_only:
        print(f"[{size:,}] gdcat serve (embedded store)", flush=True)
        gdcat = start_gdcat_on(str(store_dir), port, env)
        try:
            result.update(start_facts(gdcat))
            result["index_mb"] = size_mb(Path(env["GDCAT_INDEX_DIR"]))
            result["embedded"] = reads(gdcat, base, args.requests, size)
            print(f"[{size:,}] embedded {result['embedded']}", flush=True)
        finally:
            gdcat.stop()
    if args.server and given is not None:
        result["oxigraph_server"] = serve_same_directory(size, store_dir, work, base, args)
    elif args.server:
        result["oxigraph_server"] = serve_remote(size, nquads, work, base, result, args)
    nquads.unlink(missing_ok=True)
    return result


def serve_same_directory(
    size: int, store_dir: Path, work: Path, base: str, args: argparse.Namespace
) -> dict[str, Any]:
    """``oxigraph serve`` of the very directory the embedded run measured (the server and
    pyoxigraph share the on-disk format: no second load of the same quads), and ``gdcat
    serve`` over it, with the search index the embedded run built (an operator moving a
    store to a server keeps its index; the start then checks it is in step, over HTTP)."""
    env = with_index(gdcat_env(work / "unused-store", work, base), args)
    # reading every record over HTTP (the index's check at start, the listing of live
    # records) takes minutes at a million records: past the default deadline of a request
    env["GDCAT_STORE_TIMEOUT"] = str(args.store_timeout)
    return gdcat_over_oxigraph_server(size, store_dir, env, base, args, deadline=1800)


def with_index(env: dict[str, str], args: argparse.Namespace) -> dict[str, str]:
    """``env`` with the search index in ``--index`` when given (kept after the run: a
    million records' index takes an hour to build), else in the run's work folder."""
    if args.index is not None:
        env["GDCAT_INDEX_DIR"] = str(args.index)
    return env


def gdcat_over_oxigraph_server(
    size: int,
    location: Path,
    env: dict[str, str],
    base: str,
    args: argparse.Namespace,
    *,
    deadline: float = 1800,
) -> dict[str, Any]:
    """``oxigraph serve`` of ``location``, ``gdcat serve`` over it, and the reads."""
    ox_port, port = _free_port(), _free_port()
    engine = Server(
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{ox_port}",
        ],
        f"http://127.0.0.1:{ox_port}",
        "/query?query=ASK%7B%7D",
        dict(os.environ),
        deadline=deadline,
    )
    out: dict[str, Any] = {"engine_start_seconds": round(engine.start_seconds, 1)}
    try:
        gdcat = start_gdcat_on(f"http://127.0.0.1:{ox_port}/", port, env)
        try:
            out.update(start_facts(gdcat))
            out.update(reads(gdcat, base, args.requests, size))
            print(f"[{size:,}] oxigraph server {out}", flush=True)
        finally:
            gdcat.stop()
    finally:
        engine.stop()
    return out


def serve_remote(
    size: int,
    nquads: Path,
    work: Path,
    base: str,
    result: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """``oxigraph load`` of the same N-Quads, ``oxigraph serve`` of it, ``gdcat serve`` over it."""
    location = work / "oxigraph-server"
    quads = int(result.get("load_gdcat", {}).get("quads", 0)) or 1
    out: dict[str, Any] = {"load_oxigraph_cli": load_oxigraph_cli(nquads, location, quads)}
    if "load_gdcat" in result:
        out["load_ratio_gdcat_to_oxigraph_load"] = round(
            result["load_gdcat"]["quads_per_second"] / out["load_oxigraph_cli"]["quads_per_second"],
            2,
        )
    print(f"[{size:,}] oxigraph load {out['load_oxigraph_cli']}", flush=True)
    shutil.rmtree(work / "remote", ignore_errors=True)
    (work / "remote").mkdir()
    env = gdcat_env(work / "unused-store", work / "remote", base)
    out.update(gdcat_over_oxigraph_server(size, location, env, base, args))
    out["store_mb"] = size_mb(location)
    shutil.rmtree(location, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--compare", action="store_true", help="pyoxigraph bulk_load too")
    parser.add_argument("--server", action="store_true", help="Oxigraph server too")
    parser.add_argument(
        "--server-only",
        action="store_true",
        help="with --store and --server: the Oxigraph server only (the embedded figures kept)",
    )
    parser.add_argument("--index", type=Path, default=None, help="a search index kept")
    parser.add_argument(
        "--store-timeout", type=float, default=600.0, help="gdcat's deadline over the server"
    )
    parser.add_argument("--store", action="append", default=[], help="SIZE=DIR, filled before")
    parser.add_argument("--base", default="http://127.0.0.1:18731/")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--loaders", type=int, default=0, help="only compare the loaders at this size"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--during-build",
        action="store_true",
        help="with --store: what gdcat serves while the index of that store is being built",
    )
    args = parser.parse_args()
    if args.loaders:
        work = Path(tempfile.mkdtemp(prefix="gdcat-loaders-", dir=args.work))
        try:
            compared = compare_loaders(args.loaders, work, args.base, args.rounds)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results["loaders"] = {
            "datasets": args.loaders,
            "measured": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "loaders": compared,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(compared, indent=2))
        return
    given = {int(k): Path(v) for k, v in (s.split("=", 1) for s in args.store)}
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("sizes", {})
    if args.during_build:
        for size, store_dir in given.items():
            work = Path(tempfile.mkdtemp(prefix=f"gdcat-building-{size}-", dir=args.work))
            try:
                measured = during_build(size, store_dir, work, args)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            measured["measured"] = datetime.now(UTC).isoformat(timespec="seconds")
            measured["load_average"] = [round(x, 2) for x in os.getloadavg()]
            results.setdefault("during_build", {})[str(size)] = measured
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")
            print(json.dumps(measured, indent=2), flush=True)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix=f"gdcat-scale-{size}-", dir=args.work))
        try:
            measured = measure(size, args, work, given.get(size))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        measured["measured"] = datetime.now(UTC).isoformat(timespec="seconds")
        measured["load_average"] = [round(x, 2) for x in os.getloadavg()]
        if args.server_only:  # the embedded figures of an earlier run stay
            measured = {**results["sizes"].get(str(size), {}), **measured}
        results["sizes"][str(size)] = measured
        results["machine"] = f"{os.cpu_count()} cores, Python {platform.python_version()}"
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {RESULTS} ({size:,})", flush=True)


if __name__ == "__main__":
    main()
