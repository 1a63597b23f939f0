"""gdcat's pages for people at 10,000 and 100,000 generated datasets.

For each size, in one run on the same data (the store and server of ``bench/serve.py``:
generated HealthDCAT-AP-style records in the on-disk store, ``gdcat serve`` in its own
process):

- latency of each page type measured from this process over HTTP with keep-alive on
  loopback (gdcat sends no server-timing header: the client's time is the server's time plus
  the loopback round trip, about 0.1 ms): the search page with six facets selected, the search
  page with a text query, dataset pages (many different datasets), the inventory page and the
  data-use page for a disease-specific purpose; each interleaved, request by request, with
  the machine interface that answers the same question (``/api/datasets`` with the same
  parameters, the dataset as Turtle, ``/api/inventory``), so that the ratio says what the
  page adds whatever the machine's load;
- the bytes each page type transfers, cold cache (the HTML and every stylesheet, script,
  icon and image it loads, fetched as a browser does with ``Accept-Encoding: gzip``) and warm
  cache (what is not cacheable: the HTML), and its scripts and styles against the issue's
  300 KB budget.

    .venv/bin/python bench/pages.py --sizes 10000,100000 --work /var/tmp/gdcat-pages

With ``--work`` the stores (and search indexes) are kept and reused by the next run: the
100,000-dataset store takes minutes to build. Results go to ``bench/results/pages.json`` and
``docs/benchmarks.md`` (``bench/run.py --report-only`` rewrites the page).
"""

from __future__ import annotations

import argparse
import gzip
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
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import (
    _free_port,
    fill_store,
    gdcat_env,
    percentiles,
    start_gdcat,
    timed,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "pages.json"

#: The facets selected on the search page, in the order a researcher narrows the results.
DRILL_DOWN = (
    "country",
    "sequencing_type",
    "access_rights",
    "data_use",
    "health_category",
    "reference_genome",
)
#: Words typed into the search box.
WORDS = ("genome", "exome", "cancer", "rare disease", "cohort", "panel", "cardiovascular")
#: Scripts and styles a page may need (issue 9, item 9).
BUDGET_BYTES = 300 * 1024

Call = Callable[[httpx.Client], httpx.Response]
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


def prepared_store(size: int, work: Path) -> dict[str, Any]:
    """The store of ``size`` generated datasets in ``work``: built once, reused while kept
    (its base IRI names the port the server will listen on)."""
    meta_file = work / "store.json"
    if meta_file.exists():
        meta: dict[str, Any] = json.loads(meta_file.read_text())
        if meta["size"] == size:
            meta["reused"] = True
            return meta
    shutil.rmtree(work / "store", ignore_errors=True)
    shutil.rmtree(work / "index", ignore_errors=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    print(f"[{size:,}] filling the store", flush=True)
    filled = fill_store(size, work / "store", base)
    meta = {
        "size": size,
        "port": port,
        "base": base,
        "records": filled["records"],
        "triples": filled["triples"],
        "fill_seconds": round(filled["seconds"], 1),
        "filled": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    return {**meta, "reused": False}


# -- what to ask -----------------------------------------------------------------------------


def six_facet_selections(client: httpx.Client, count: int) -> list[list[tuple[str, str]]]:
    """``count`` selections of six facet values that all exist together: starting from a
    different country each time, each next facet's most frequent value among the results."""
    start = client.get("/api/datasets", params={"facet": "country", "page_size": "1"}).json()
    countries = [b["value"] for b in start["facets"]["country"]["buckets"]]
    selections = []
    for country in countries[:count]:
        chosen: list[tuple[str, str]] = [("country", country)]
        for facet in DRILL_DOWN[1:]:
            found = client.get(
                "/api/datasets",
                params=[*chosen, ("facet", facet), ("page_size", "1")],
            ).json()
            buckets = [b for b in found["facets"][facet]["buckets"] if not b["selected"]]
            if not buckets:
                break
            chosen.append((facet, buckets[0]["value"]))
        if len(chosen) == len(DRILL_DOWN):
            selections.append(chosen)
    if not selections:
        raise RuntimeError("no six facet values select datasets together")
    return selections


def dataset_keys(client: httpx.Client, rng: random.Random, count: int) -> list[str]:
    """``count`` different datasets, from every country's results."""
    found = client.get("/api/datasets", params={"facet": "country", "page_size": "1"}).json()
    countries = [b["value"] for b in found["facets"]["country"]["buckets"]]
    keys: set[str] = set()
    for country in countries:
        for sort in ("title", "-modified"):
            page = client.get(
                "/api/datasets",
                params={"country": country, "sort": sort, "page_size": "200", "facet": "node"},
            ).json()
            keys.update(h["key"] for h in page["hits"])
    ordered = sorted(keys)
    rng.shuffle(ordered)
    return ordered[:count]


def diseases(client: httpx.Client, count: int) -> list[str]:
    """The diseases most datasets name (values for a disease-specific purpose)."""
    found = client.get("/api/datasets", params={"facet": "disease", "page_size": "1"}).json()
    values = [b["value"] for b in found["facets"]["disease"]["buckets"]]
    if not values:
        raise RuntimeError("no dataset names a disease")
    return values[:count]


# -- latency ----------------------------------------------------------------------------------


def paired(client: httpx.Client, pairs: list[tuple[Call, Call]], warm: int = 10) -> dict[str, Any]:
    """Page and machine interface, interleaved request by request (both see the same noise):
    percentiles of each and the ratio of their medians."""
    timed(client, [p for pair in pairs[:warm] for p in pair])
    page: list[float] = []
    api: list[float] = []
    for page_call, api_call in pairs:
        page += timed(client, [page_call])
        api += timed(client, [api_call])
    return {
        "page": percentiles(page),
        "api": percentiles(api),
        "ratio": round(statistics.median(page) / statistics.median(api), 2),
    }


def get(path: str, params: Any = None, headers: dict[str, str] | None = None) -> Call:
    return lambda c: c.get(path, params=params, headers=headers)


def latencies(client: httpx.Client, rng: random.Random, n: int) -> dict[str, Any]:
    selections = six_facet_selections(client, 12)
    page_size = str(client.get("/api/datasets", params={"page_size": "1"}).json()["page_size"])
    all_facets = [("facet", name) for name in _facet_names(client)]
    out: dict[str, Any] = {"six_facets": selections}

    pairs = []
    for _ in range(n):
        chosen = rng.choice(selections)
        pairs.append(
            (
                get("/search", chosen, HTML),
                # what the page asks the index: the same filters, all ten facets counted
                get("/api/datasets", [*chosen, *all_facets]),
            )
        )
    out["search_six_facets"] = paired(client, pairs)
    _say("search page, six facets", out["search_six_facets"])

    pairs = []
    for _ in range(n):
        q = [("q", rng.choice(WORDS))]
        pairs.append((get("/search", q, HTML), get("/api/datasets", [*q, *all_facets])))
    out["search_text"] = paired(client, pairs)
    _say("search page, text query", out["search_text"])

    keys = dataset_keys(client, rng, n)
    out["distinct_datasets"] = len(keys)
    pairs = [
        (get(f"/dataset/{key}", None, HTML), get(f"/dataset/{key}", None, TURTLE)) for key in keys
    ]
    out["dataset"] = paired(client, pairs)
    _say("dataset page", out["dataset"])

    picked = diseases(client, 10)
    out["diseases"] = picked
    pairs = []
    for _ in range(max(50, n // 3)):
        purpose = [("purpose", "DS"), ("purpose_disease", rng.choice(picked))]
        pairs.append(
            (
                get("/data-use", purpose, HTML),
                get("/api/datasets", [*purpose, ("facet", "data_use"), ("page_size", page_size)]),
            )
        )
    out["data_use"] = paired(client, pairs)
    _say("data-use page, disease-specific", out["data_use"])
    return out


def inventory_latency(client: httpx.Client, n: int, limit: float) -> dict[str, Any]:
    """The inventory page and ``/api/inventory``: the first request of each (which counts the
    store; each keeps its counts until the store changes), then both interleaved."""
    first: dict[str, float | None] = {}
    for name, path in (("page", "/inventory"), ("api", "/api/inventory")):
        start = time.perf_counter()
        try:
            answer = client.get(path, headers=HTML if name == "page" else None, timeout=limit)
        except httpx.TimeoutException:
            print(f"    inventory {name}: no answer within {limit:.0f} s", flush=True)
            return {"answered": False, "timeout_s": limit, "first_s": first}
        answer.raise_for_status()
        first[name] = round(time.perf_counter() - start, 2)
        print(f"    inventory {name}, first request: {first[name]} s", flush=True)
    pairs = [(get("/inventory", None, HTML), get("/api/inventory"))] * max(50, n // 3)
    out = {"answered": True, "first_s": first, **paired(client, pairs)}
    _say("inventory page, counts kept", out)
    return out


def _facet_names(client: httpx.Client) -> list[str]:
    return list(client.get("/api/datasets", params={"page_size": "1"}).json()["facets"])


def _say(what: str, figures: dict[str, Any]) -> None:
    p, a = figures["page"], figures["api"]
    print(
        f"    {what}: page {p['p50_ms']} / {p['p95_ms']} ms, "
        f"interface {a['p50_ms']} / {a['p95_ms']} ms, ratio {figures['ratio']}",
        flush=True,
    )


# -- bytes --------------------------------------------------------------------------------


class _Loads(HTMLParser):
    """What a browser fetches for a page: stylesheets, scripts, icons and images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel and a.get("href"):
            self.found.append(("style", a["href"]))
        elif tag == "link" and "icon" in rel and a.get("href"):
            self.found.append(("icon", a["href"]))
        elif tag == "script" and a.get("src"):
            self.found.append(("script", a["src"]))
        elif tag in ("img", "image") and (a.get("src") or a.get("href")):
            self.found.append(("image", a.get("src") or a.get("href", "")))


def _wire(response: httpx.Response) -> int:
    """Bytes of a response as sent: status line, headers and the (encoded) body."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return head + response.num_bytes_downloaded


def _cacheable(response: httpx.Response) -> bool:
    control = response.headers.get("cache-control", "").lower()
    if "no-store" in control or "no-cache" in control:
        return False
    for part in control.split(","):
        key, _, value = part.strip().partition("=")
        if key == "max-age" and value.isdigit() and int(value) > 0:
            return True
    return False


def transfer(client: httpx.Client, url: str) -> dict[str, Any]:
    """The bytes of one page, cold and warm cache, and its scripts and styles."""
    gz = {"Accept": "text/html", "Accept-Encoding": "gzip"}
    with client.stream("GET", url, headers=gz) as response:
        body = response.read()
    if response.status_code >= 400:
        raise RuntimeError(f"{url} answered {response.status_code}")
    page = _wire(response)
    parser = _Loads()
    parser.feed(body.decode())
    assets = []
    for kind, ref in dict.fromkeys(parser.found):
        target = urljoin(str(response.url), ref)
        if urlsplit(target).netloc != urlsplit(str(response.url)).netloc:
            raise RuntimeError(f"{url} loads {target} from elsewhere")
        with client.stream("GET", target, headers={"Accept-Encoding": "gzip"}) as answer:
            content = answer.read()
        if answer.status_code >= 400:
            raise RuntimeError(f"{target} answered {answer.status_code}")
        assets.append(
            {
                "kind": kind,
                "name": urlsplit(target).path.rsplit("/", 1)[-1],
                "wire": _wire(answer),
                "size": len(content),
                "gzip": answer.headers.get("content-encoding") == "gzip",
                "cacheable": _cacheable(answer),
            }
        )
    code = [a for a in assets if a["kind"] in ("script", "style")]
    return {
        "html_wire": page,
        "html_size": len(body),
        "html_gzip": response.headers.get("content-encoding") == "gzip",
        "html_if_gzipped": len(gzip.compress(body, compresslevel=6)),
        "assets": assets,
        "cold": page + sum(a["wire"] for a in assets),
        "warm": page + sum(a["wire"] for a in assets if not a["cacheable"]),
        "code_wire": sum(a["wire"] for a in code),
        "code_size": sum(a["size"] for a in code),
        "within_budget": sum(a["size"] for a in code) <= BUDGET_BYTES,
    }


def transfers(client: httpx.Client, figures: dict[str, Any], key: str) -> dict[str, Any]:
    """Bytes of every page type, each at a representative URL."""
    chosen = figures["six_facets"][0]
    disease = figures["diseases"][0]
    node = client.get("/api/datasets", params={"facet": "node", "page_size": "1"}).json()
    node_id = node["facets"]["node"]["buckets"][0]["value"]
    urls = {
        "home page": "/",
        "search page, six facets": "/search?" + str(httpx.QueryParams(chosen)),
        "search page, text query": "/search?q=genome",
        "dataset page": f"/dataset/{key}",
        "data-use page, disease-specific": "/data-use?"
        + str(httpx.QueryParams([("purpose", "DS"), ("purpose_disease", disease)])),
        "nodes page": "/nodes",
        "node page": f"/nodes/{node_id}",
        "SPARQL page": "/sparql",
    }
    return {name: {"url": url, **transfer(client, url)} for name, url in urls.items()}


# -- the run ----------------------------------------------------------------------------------


def measure(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    meta = prepared_store(size, work)
    store_dir = work / "store"
    print(
        f"[{size:,}] store {'reused' if meta['reused'] else 'filled'}: {meta['records']:,} "
        f"datasets, {meta['triples']:,} triples, filled in {meta['fill_seconds']} s",
        flush=True,
    )
    print(f"[{size:,}] starting gdcat serve", flush=True)
    gdcat = start_gdcat(store_dir, meta["port"], gdcat_env(store_dir, work, meta["base"]))
    rng = random.Random(size)
    try:
        result: dict[str, Any] = {
            "datasets": meta["records"],
            "triples": meta["triples"],
            "fill_seconds": meta["fill_seconds"],
            "gdcat_start_seconds": round(gdcat.start_seconds, 1),
        }
        print(f"[{size:,}] started in {result['gdcat_start_seconds']} s", flush=True)
        with httpx.Client(base_url=gdcat.url, timeout=120) as client:
            result["latency"] = latencies(client, rng, args.requests)
            key = dataset_keys(client, rng, 1)[0]
            result["bytes"] = transfers(client, result["latency"], key)
            # last: the first inventory request counts the store, which takes long
            kept = _last(size) if args.keep_inventory else None
            if kept is not None and "inventory" in kept["latency"]:
                result["latency"]["inventory"] = {
                    **kept["latency"]["inventory"],
                    "measured": kept["measured"],
                }
                if "inventory page" in kept["bytes"]:
                    result["bytes"]["inventory page"] = kept["bytes"]["inventory page"]
            else:
                inventory = inventory_latency(client, args.requests, args.inventory_timeout)
                result["latency"]["inventory"] = inventory
            if (
                result["latency"]["inventory"]["answered"]
                and "inventory page" not in result["bytes"]
            ):
                result["bytes"]["inventory page"] = {
                    "url": "/inventory",
                    **transfer(client, "/inventory"),
                }
        for name, b in result["bytes"].items():
            print(
                f"    {name}: cold {b['cold']:,} B, warm {b['warm']:,} B, scripts and styles "
                f"{b['code_size']:,} B ({b['code_wire']:,} B sent)",
                flush=True,
            )
        result["gdcat_peak_rss_mb"] = round(gdcat.peak_rss_mb(), 0)
        return result
    finally:
        gdcat.stop()


def _last(size: int) -> dict[str, Any] | None:
    """The figures of the last run at ``size``, if any."""
    if not RESULTS.exists():
        return None
    found: dict[str, Any] | None = json.loads(RESULTS.read_text())["sizes"].get(str(size))
    return found


def write(results: dict[str, Any]) -> None:
    """Write the results; a size not measured in this run keeps its last figures."""
    kept = json.loads(RESULTS.read_text()).get("sizes", {}) if RESULTS.exists() else {}
    merged = {**results, "sizes": {**kept, **results["sizes"]}}
    merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda item: int(item[0])))
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="dataset counts, comma-separated")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measure")
    parser.add_argument(
        "--inventory-timeout",
        type=float,
        default=900.0,
        help="seconds to wait for the first inventory request (it counts the store)",
    )
    parser.add_argument(
        "--keep-inventory",
        action="store_true",
        help="keep the inventory figures of the last run at each size (its first request "
        "counts the store: minutes at 10,000 datasets)",
    )
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here, reuse them")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {
        "measured": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_start": round(_load(), 1),
        "requests": args.requests,
        "sizes": {},
    }
    for size in sizes:
        if args.work is None:
            work = Path(tempfile.mkdtemp(prefix=f"gdcat-pages-{size}-"))
        else:
            work = args.work / str(size)
            work.mkdir(parents=True, exist_ok=True)
        try:
            started = time.perf_counter()
            figures = measure(size, args, work)
            figures["measured"] = results["measured"]
            figures["load_average"] = round(_load(), 1)
            figures["requests"] = args.requests
            figures["run_seconds"] = round(time.perf_counter() - started, 1)
            results["sizes"][str(size)] = figures
            write(results)
        finally:
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {RESULTS}")
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--report-only"], check=True)


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


if __name__ == "__main__":
    main()
