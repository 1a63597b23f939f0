"""Rebuilding the counts after a raw update made them incomplete: over HTTP (admin token)
while the server holds the store, and with ``gdcat recount`` on a store no server holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from live_gdcat import start_gdcat

from gdcat.settings import Settings
from gdcat.store import compute_inventory, open_store
from gdcat.store.inventory import read_counts, recount_inventory

ADMIN = "admin-secret-for-tests"


def test_counts_made_incomplete_are_rebuilt_through_the_server_and_the_cli(
    tmp_path: Path,
) -> None:
    with start_gdcat(tmp_path, datasets=30, admin_token=ADMIN) as live:
        inventory = httpx.get(f"{live.url}/api/inventory").json()
        live.store.update(f"DROP SILENT GRAPH <{live.base}graph/counts>")
        assert read_counts(live.store) is None
        url = f"{live.url}/api/counts/rebuild"
        assert httpx.post(url).status_code == 401
        done = httpx.post(url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=120)
        assert done.status_code == 200, done.text
        assert done.json()["complete"] is True
        assert done.json()["records"] == len(live.store.list_records())
        assert read_counts(live.store) is not None
        assert httpx.get(f"{live.url}/api/inventory").json() == inventory
        base, store_dir = live.base, live.settings.store_dir

    settings = Settings(base_iri=base, store_dir=store_dir)
    store = open_store(settings)
    try:
        store.update(f"DROP SILENT GRAPH <{base}graph/record-counts>")
        assert read_counts(store) is None
        expected = recount_inventory(store)
    finally:
        store.close()
    gdcat = str(Path(sys.executable).with_name("gdcat"))
    env = {**os.environ, "GDCAT_BASE_IRI": base}
    run = subprocess.run(
        [gdcat, "recount", "--store", str(store_dir)], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert f"counts rebuilt: {done.json()['records']} records" in run.stdout
    store = open_store(settings)
    try:
        assert read_counts(store) is not None
        assert compute_inventory(store) == expected  # read from the rebuilt counts
    finally:
        store.close()
