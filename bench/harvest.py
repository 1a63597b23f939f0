"""gdcat's harvest benchmark: 25 national nodes x 2,000 datasets served on 127.0.0.1.

The nodes are real HTTP servers (15 DCAT-AP documents, 4 Hydra-paged feeds of 200 records a
page, 4 FAIR Data Points with a page per dataset and per distribution, 2 SPARQL endpoints over
in-memory Oxigraph), all answering conditional requests (ETag, Last-Modified). The harvest runs
in a fresh process (``gdcat harvest`` into an on-disk store) so that its peak memory can be
read; it runs twice:

- the first harvest: every record fetched, parsed, validated and written (records/s end to
  end, peak resident memory of the harvester and of its validation workers);
- the re-harvest of the unchanged federation, as a ratio of the first one's time (target
  <= 5%).

    .venv/bin/python bench/harvest.py --per-node 2000

Results go to ``bench/results/harvest.json`` and the harvest section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["fdp"] * 4 + ["feed"] * 4 + ["sparql"] * 2 + ["dcat"] * 15
PAGE = 200
TTL = "text/turtle; charset=utf-8"


@dataclass
class Site:
    """What one node serves: static pages, or a SPARQL store."""

    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    store: ox.Store | None = None
    modified: str = email.utils.formatdate(time.time() - 86400, usegmt=True)
    hits: int = 0


def _node_documents(
    per_node: int, seed: int
) -> Iterator[tuple[Any, str, list[tuple[str, str]], str]]:
    """Per node: (scale node, prefix block + shared header, [(dataset IRI, record block)], catalog IRI)."""
    from gdcat.demo.countries import COUNTRIES
    from gdcat.demo.plan import node_base
    from gdcat.demo.scale import ScaleNode, _node_rng, _prefix_block, _RecordWriter
    from gdcat.demo.turtle import write_turtle

    for country in COUNTRIES:
        node = ScaleNode(country, node_base(country.code), per_node)
        writer = _RecordWriter(node, _node_rng(seed, node))
        prefixes = writer.renderer.prefixes()
        head = _prefix_block(prefixes) + write_turtle(writer.header(), prefixes).split("\n\n", 1)[1]
        records = [writer.record(serial) for serial in range(1, per_node + 1)]
        yield node, head, records, str(writer.renderer.catalog)


def _catalog(catalog: str, title: str, datasets: list[str], extra: str = "") -> str:
    listing = ""
    if datasets:
        listing = " ;\n    dcat:dataset " + ",\n        ".join(f"<{d}>" for d in datasets)
    return f'\n<{catalog}> a dcat:Catalog ;\n    dct:title "{title}"@en{listing}{extra} .\n'


def build_sites(per_node: int, seed: int = 3) -> list[tuple[str, str, str, Site, str | None]]:
    """(node id, country, kind, site, published base when it differs) for every node."""
    out = []
    for (node, head, records, catalog), kind in zip(
        _node_documents(per_node, seed), KINDS, strict=True
    ):
        site = Site()
        code = node.country.code
        title = f"{node.country.english} genomics"
        iris = [iri for iri, _ in records]
        if kind == "dcat":
            text = head + "".join("\n" + b for _, b in records) + _catalog(catalog, title, iris)
            site.pages["/catalog.ttl"] = (text.encode(), TTL)
        elif kind == "feed":
            pages = (len(records) + PAGE - 1) // PAGE
            for p in range(1, pages + 1):
                chunk = records[(p - 1) * PAGE : p * PAGE]
                nxt = f" ;\n    hydra:next <PORT/feed?page={p + 1}>" if p < pages else ""
                view = (
                    f"\n<PORT/feed?page={p}> a hydra:PartialCollectionView ;\n"
                    f"    hydra:first <PORT/feed?page=1> ; hydra:last <PORT/feed?page={pages}>{nxt} .\n"
                )
                body = head + "".join("\n" + b for _, b in chunk)
                body += _catalog(catalog, title, [i for i, _ in chunk]) + view
                site.pages[f"/feed?page={p}"] = (body.encode(), TTL)
            site.pages["/feed"] = site.pages["/feed?page=1"]
        elif kind == "sparql":
            store = ox.Store()
            text = head + "".join("\n" + b for _, b in records) + _catalog(catalog, title, iris)
            store.load(text.encode(), ox.RdfFormat.TURTLE)
            site.store = store
        else:
            _fdp_pages(site, node.base, head, records, catalog, title)
        out.append((code, node.country.iso3, kind, site, node.base if kind == "fdp" else None))
    return out


def _fdp_pages(
    site: Site, base: str, head: str, records: list[tuple[str, str]], catalog: str, title: str
) -> None:
    """An FDP: root, catalogue, one page per dataset (with the publisher it names) and one per
    distribution, split from each record by subject."""
    prefix_block = head.split("\n\n", 1)[0] if "\n\n" in head else head
    serializer_prefixes = {}
    for line in prefix_block.splitlines():
        if line.startswith("@prefix"):
            name, iri = line[len("@prefix ") :].rstrip(" .").split(": <", 1)
            serializer_prefixes[name] = iri.rstrip(">")
    root = "PORT/"
    site.pages["/"] = (
        (
            "@prefix fdp: <https://w3id.org/fdp/fdp-o#> .\n"
            f"<{root}> a fdp:FAIRDataPoint ; fdp:metadataCatalog <{catalog}> .\n"
        ).encode(),
        TTL,
    )
    listing = _catalog(catalog, title, [iri for iri, _ in records])
    site.pages["/" + catalog[len(base) :]] = ((prefix_block + "\n" + listing).encode(), TTL)
    for iri, block in records:
        triples = list(ox.parse((head + "\n" + block).encode(), ox.RdfFormat.TURTLE))
        distributions = {
            t.object.value
            for t in triples
            if t.predicate.value == "http://www.w3.org/ns/dcat#distribution"
        }
        dataset_part = [t for t in triples if t.subject.value not in distributions]
        site.pages["/" + iri[len(base) :]] = (
            ox.serialize(dataset_part, format=ox.RdfFormat.TURTLE, prefixes=serializer_prefixes),
            TTL,
        )
        for dist in distributions:
            part = [t for t in triples if t.subject.value == dist]
            site.pages["/" + dist[len(base) :]] = (
                ox.serialize(part, format=ox.RdfFormat.TURTLE, prefixes=serializer_prefixes),
                TTL,
            )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in separate writes: without this, Nagle's algorithm holds the body
    # back until the client's delayed ACK (40 ms a request on Linux)
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site
        site.hits += 1
        if site.store is not None:
            return self._sparql(parse_qs(urlsplit(self.path).query).get("query", [""])[0])
        page = site.pages.get(self.path)
        if page is None:
            return self._send(404, b"not found", "text/plain")
        body, media = page
        etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self._send(200, body, media, etag)
        return None

    def do_POST(self) -> None:
        self.server.site.hits += 1
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        self._sparql(form.get("query", [""])[0])

    def _sparql(self, query: str) -> None:
        store = self.server.site.store
        assert store is not None
        answer = store.query(query)
        if isinstance(answer, ox.QuerySolutions):
            body = answer.serialize(format=ox.QueryResultsFormat.JSON)
            media = "application/sparql-results+json"
        else:
            body = ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)
            media = "application/n-triples"
        self._send(200, body or b"", media)

    def _send(self, status: int, body: bytes, media: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", self.server.site.modified)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site


def serve(sites: list[tuple[str, str, str, Site, str | None]]) -> tuple[list[_Server], str]:
    """Start every node; returns the servers and the registry (TOML)."""
    servers = []
    lines = ["[defaults]", "timeout = 60", 'profile = "gdcat"', "private = true", ""]
    for code, iso3, kind, site, published in sites:
        server = _Server(site)
        port = server.server_address[1]
        origin = f"http://127.0.0.1:{port}"
        for path, (body, media) in list(site.pages.items()):
            site.pages[path] = (body.replace(b"PORT/", f"{origin}/".encode()), media)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = {
            "dcat": f"{origin}/catalog.ttl",
            "feed": f"{origin}/feed",
            "sparql": f"{origin}/sparql",
            "fdp": f"{origin}/",
        }[kind]
        entry = [
            "[[node]]",
            f'id = "{code}"',
            f'country = "{iso3}"',
            f'kind = "{"dcat" if kind == "feed" else kind}"',
            f'url = "{url}"',
        ]
        if published:
            entry.append(f'published_base = "{published}"')
        lines += [*entry, ""]
    return servers, "\n".join(lines)


def _harvest(
    registry: Path,
    store: Path,
    workers: int,
    checkout: Path = ROOT,
    settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One ``gdcat harvest`` in a fresh process; wall time, report totals, peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "from gdcat.cli import main\n"
        "start = time.perf_counter()\n"
        "try:\n"
        f'    main(["harvest", "--nodes", {str(registry)!r}, "--store", {str(store)!r}, "--format", "json", "--no-registered"])\n'
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "import multiprocessing\n"
        "for child in multiprocessing.active_children():  # the validation workers, reaped:\n"
        "    child.join(30)  # their CPU time counts in RUSAGE_CHILDREN\n"
        "sys.stderr.write(json.dumps({'seconds': time.perf_counter() - start,"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'children_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,"
        " 'cpu_seconds': sum(getattr(resource.getrusage(w), f) for w in"
        " (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ('ru_utime', 'ru_stime'))})"
        " + '\\n')\n"
    )
    # the checkout's own code, not whatever gdcat the virtualenv has installed
    env = {
        "GDCAT_VALIDATION_WORKERS": str(workers),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(checkout / "src"),
        **(settings or {}),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    report = json.loads(done.stdout)
    return {
        **stats,
        "totals": report["totals"],
        "status": report["status"],
        "nodes": {n["node"]: n["status"] for n in report["nodes"]},
        # why a node is not complete, in the report's own words
        "problems": {
            n["node"]: {"reasons": n["reasons"], "failures": n["failures"][:5]}
            for n in report["nodes"]
            if n["status"] != "complete"
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--per-node", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "harvest.json", help="results file"
    )
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="the checkout whose code harvests (default: this one; another to compare)",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment setting for the harvests (GDCAT_HARVEST_NODES_AT_ONCE=4)",
    )
    args = parser.parse_args()
    settings = dict(entry.split("=", 1) for entry in args.setting)
    t0 = time.perf_counter()
    sites = build_sites(args.per_node)
    built = time.perf_counter() - t0
    servers, registry_text = serve(sites)
    records = args.per_node * len(sites)
    with tempfile.TemporaryDirectory(prefix="gdcat-bench-harvest-") as tmp:
        registry = Path(tmp) / "nodes.toml"
        registry.write_text(registry_text)
        store = Path(tmp) / "store"
        first = _harvest(registry, store, args.workers, args.checkout, settings)
        hits_first = sum(s.site.hits for s in servers)
        second = _harvest(registry, store, args.workers, args.checkout, settings)
        hits_second = sum(s.site.hits for s in servers) - hits_first
    for server in servers:
        server.shutdown()
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "nodes": len(sites),
        "kinds": {k: KINDS.count(k) for k in sorted(set(KINDS))},
        "per_node": args.per_node,
        "records": records,
        "workers": args.workers,
        "checkout": str(args.checkout),
        "settings": settings,
        "setup_seconds": round(built, 1),
        "first": {
            **first,
            "records_per_second": round(records / first["seconds"], 1),
            # CPU time of the harvester and its validation workers: on a shared machine the
            # steadier measure of the work done per record
            "cpu_ms_per_record": round(1000 * first["cpu_seconds"] / records, 2),
            "requests": hits_first,
        },
        "second": {**second, "requests": hits_second},
        "reharvest_ratio": round(second["seconds"] / first["seconds"], 4),
    }
    out = args.out
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
