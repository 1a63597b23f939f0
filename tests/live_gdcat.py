"""A live gdcat for tests and benchmarks: the demo federation served as real nodes, harvested
into an on-disk store, and gdcat serving that store with uvicorn on a free port of 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gdcat.api import create_app
from gdcat.api.server import reserve_port, running
from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import ServedFederation, serve_federation
from gdcat.harvest import Harvester, RunReport
from gdcat.harvest.registry import parse_registry
from gdcat.settings import Settings
from gdcat.store import Store, open_store

#: Datasets of the test federation (the README's demo has 400; 100 keeps the session short
#: while every node kind, defect and Beacon link is still there).
DATASETS = 100


@dataclass
class LiveGdcat:
    """A running gdcat: ``url`` has no trailing slash; ``base`` (= ``url + '/'``) is the base
    IRI its records were minted under, so minted IRIs dereference."""

    url: str
    base: str
    settings: Settings
    store: Store
    app: FastAPI
    federation: Federation | None
    report: RunReport | None
    registry: Path | None


def harvest_demo(
    store: Store, settings: Settings, datasets: int, registry_dir: Path
) -> tuple[Federation, RunReport, Path, ServedFederation]:
    """Serve the demo federation, harvest it into ``store``; the nodes keep serving (the
    caller closes the returned federation)."""
    federation = generate_federation(datasets=datasets)
    served = serve_federation(federation, page_size=25)
    registry = served.write_registry(registry_dir / "nodes.toml")
    nodes = parse_registry(registry.read_text(), source=str(registry))
    with Harvester(store, settings) as harvester:
        report = harvester.run(nodes)
    return federation, report, registry, served


@contextmanager
def start_gdcat(
    tmp: Path,
    *,
    datasets: int | None = DATASETS,
    keep_nodes: bool = False,
    **settings_overrides: Any,
) -> Iterator[LiveGdcat]:
    """A gdcat serving a fresh on-disk store under ``tmp``; with ``datasets``, the demo
    federation harvested into it first (its nodes kept serving with ``keep_nodes``)."""
    sock = reserve_port()
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    settings = Settings(
        base_iri=base,
        store_dir=tmp / "store",
        tokens_file=tmp / "tokens.json",
        validation_workers=1,
        **settings_overrides,
    )
    with ExitStack() as stack:
        store = open_store(settings)  # the embedded store, or store_url's remote one
        stack.callback(store.close)
        federation = report = registry = None
        if datasets:
            federation, report, registry, served = harvest_demo(store, settings, datasets, tmp)
            if keep_nodes:
                stack.callback(served.close)
            else:
                served.close()
            settings = settings.model_copy(update={"registry_file": registry})
        app = create_app(settings, store)
        url = stack.enter_context(running(app, sock))
        yield LiveGdcat(url, url + "/", settings, store, app, federation, report, registry)
