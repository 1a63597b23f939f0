"""The README's publishing example runs as written, against a real ``gdcat serve`` process.

The lines of the README's "Publish your node's datasets" block are executed by bash, one
script, in a scratch folder that sees the repository's ``docs/`` (the example's file); the
only change is the server's address (the README's port 8000 becomes the test server's free
port). The tokens file is the server's (``GDCAT_TOKENS_FILE``), as it is when both run from
the same folder with the defaults.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from capped_gdcat import start_capped_gdcat

import gdcat

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEADING = "## Publish your node's datasets"
README_SERVER = "http://127.0.0.1:8000"
CSV = ROOT / "docs" / "examples" / "nl-datasets.csv"


def publishing_lines() -> list[str]:
    """The shell lines of the README's publishing block."""
    text = README.read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the README's publishing section has no sh block"
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert any(line.startswith("gdcat publish ") for line in lines)
    return lines


def test_the_readme_publishing_example_runs_as_written(tmp_path: Path) -> None:
    lines = publishing_lines()
    work = tmp_path / "work"
    work.mkdir()
    (work / "docs").symlink_to(ROOT / "docs")
    (tmp_path / "server").mkdir()
    with start_capped_gdcat(tmp_path / "server") as server:
        script = "set -euo pipefail\n" + "\n".join(lines).replace(README_SERVER, server.url)
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["GDCAT_TOKENS_FILE"] = str(server.settings.tokens_file)
        env.pop("GDCAT_TOKEN", None)
        # the gdcat under test, whatever folder the script runs in
        package = str(Path(gdcat.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "published docs/examples/nl-datasets.csv: 2 dataset(s)" in done.stdout
        listed = httpx.get(f"{server.url}/api/nodes/nl/datasets").json()
        published = {item["dataset"] for item in listed["items"] if item["published"]}
        assert published == {
            "https://nl.gdcat.example/dataset/cardiogenetics-exomes-2020-2024",
            "https://nl.gdcat.example/dataset/neonatal-rapid-exomes",
        }
        assert "cardiogenetics-exomes-2020-2024" in done.stdout  # curl's answer, printed
        for item in listed["items"]:
            page = httpx.get(
                f"{server.url}/dataset/{item['key']}", headers={"Accept": "text/turtle"}
            )
            assert page.status_code == 200 and item["dataset"] in page.text
        server.assert_healthy()
    assert (work / "my-datasets.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("variable", ["GDCAT_TOKEN"])
def test_the_token_never_appears_on_the_command_line(variable: str) -> None:
    lines = publishing_lines()
    publish = next(line for line in lines if line.startswith("gdcat publish "))
    assert f"--token-env {variable}" in publish and "$" not in publish
