"""Rebuilding the search index on demand: over HTTP (admin token) and with ``gdcat index``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_gdcat import start_gdcat

from gdcat.search.extract import BATCH, RecordFacts

ADMIN = "admin-secret-for-tests"


def test_the_index_is_rebuilt_on_demand_and_then_rebuilt_only_when_stale(tmp_path: Path) -> None:
    with start_gdcat(tmp_path, datasets=40, admin_token=ADMIN) as live:
        url = f"{live.url}/api/index/rebuild"
        assert httpx.post(url).status_code == 401
        wrong = httpx.post(url, headers={"Authorization": "Bearer not-it"})
        assert wrong.status_code == 401
        before = httpx.get(f"{live.url}/api/datasets").json()["total"]
        done = httpx.post(url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=120)
        assert done.status_code == 200, done.text
        # every live record is indexed (the Beacon's data service too, though it is no hit)
        assert done.json()["records"] == len(live.store.list_records())
        assert httpx.get(f"{live.url}/api/datasets").json()["total"] == before
        base = live.base
        store_dir = live.settings.store_dir

    gdcat = str(Path(sys.executable).with_name("gdcat"))
    env = {**os.environ, "GDCAT_BASE_IRI": base}
    run = subprocess.run(
        [gdcat, "index", "--store", str(store_dir)], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert f"{done.json()['records']} records" in run.stdout
    # a damaged index is not trusted: it is rebuilt from the store
    index_dir = store_dir.with_name(store_dir.name + "-index")
    for meta in index_dir.glob("*.json"):
        meta.write_text("{not json")
    again = subprocess.run(
        [gdcat, "index", "--store", str(store_dir)], capture_output=True, text=True, env=env
    )
    assert again.returncode == 0, again.stderr
    assert f"{done.json()['records']} records" in again.stdout


def test_a_rebuild_refused_while_one_runs_is_409_and_a_failed_one_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_gdcat(tmp_path, datasets=None, admin_token=ADMIN) as live:
        url = f"{live.url}/api/index/rebuild"
        auth = {"Authorization": f"Bearer {ADMIN}"}
        index = live.app.state.ctx.index
        read = index._reader.read
        meanwhile: list[httpx.Response] = []

        def read_failing_once(datasets: list[str], batch: int = BATCH) -> Iterator[RecordFacts]:
            monkeypatch.setattr(index._reader, "read", read)
            meanwhile.append(httpx.post(url, headers=auth, timeout=60))  # a second rebuild
            raise OSError("No space left on device")  # the fault a full disk would cause

        monkeypatch.setattr(index._reader, "read", read_failing_once)
        failed = httpx.post(url, headers=auth, timeout=60)
        assert [r.status_code for r in meanwhile] == [409]
        assert meanwhile[0].json()["type"].endswith("rebuild-running")
        assert failed.status_code == 500, failed.text
        assert "No space left on device" in failed.json()["detail"]
        done = httpx.post(url, headers=auth, timeout=60)  # nothing is left running
        assert done.status_code == 200, done.text
