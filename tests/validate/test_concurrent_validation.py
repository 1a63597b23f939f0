"""One process validating in several threads at once (a steward's publish while a harvest
validates in the server): each run gets its report. Run in a fresh process, where pySHACL
parses its shapes' SPARQL for the first time: before runs took turns, two threads doing that
at once broke rdflib's (pyparsing's) parser state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"

RACE = """
import sys, threading
from pathlib import Path
from gdcat.rdf import parse_file
from gdcat.validate import Validator

graphs = [parse_file(p) for p in sorted(Path(sys.argv[2]).glob("*.ttl"))]
validator = Validator(sys.argv[1], workers=1)
failures, outcomes = [], []
start = threading.Barrier(3)

def run():
    start.wait()
    try:
        outcomes.append([validator.validate(g).conforms for g in graphs])
    except BaseException as e:
        failures.append(repr(e))

threads = [threading.Thread(target=run) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
alone = [validator.validate(g).conforms for g in graphs]
print("failures:", failures)
print("same:", all(o == alone for o in outcomes), len(outcomes))
"""


@pytest.mark.parametrize("profile", ["gdcat", "healthdcat-ap-r8"])
def test_threads_validating_at_once_in_a_fresh_process_each_get_their_report(
    profile: str,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RACE, profile, str(VALID)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "failures: []" in done.stdout, done.stdout
    assert "same: True 3" in done.stdout, done.stdout
