"""docs/benchmarks.md is written by several benchmarks: ``bench/run.py`` rewrites the page from
the results on disk and must keep the blocks other benchmarks (or people) wrote between
``<!-- NAME: begin -->`` and ``<!-- NAME: end -->``; every benchmark script runs as a script
(its ``main()`` called after everything it uses is defined)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def keep_marked_blocks():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        import run

        yield run.keep_marked_blocks
    finally:
        sys.path.remove(str(BENCH))


OLD = """# Benchmarks

## Validation

old figures

<!-- describe-check: begin -->

## The describe form

p95 412 ms

<!-- describe-check: end -->

## The node quality page

figures

<!-- classes: begin -->

## Class checks

by hand

<!-- classes: end -->
"""


def test_a_rewrite_keeps_every_marked_block_where_it_was(keep_marked_blocks) -> None:  # type: ignore[no-untyped-def]
    new = "# Benchmarks\n\n## Validation\n\nnew figures\n\n## The node quality page\n\nnew\n"
    page = keep_marked_blocks(OLD, new)
    assert "new figures" in page and "old figures" not in page
    assert page.index("new figures") < page.index("p95 412 ms") < page.index("## The node")
    assert page.index("## The node quality page") < page.index("by hand")
    assert page.count("<!-- describe-check: begin -->") == 1
    assert page.endswith("<!-- classes: end -->\n")
    assert keep_marked_blocks(page, new) == page  # rewriting again changes nothing


def test_a_block_whose_section_is_gone_goes_to_the_end(keep_marked_blocks) -> None:  # type: ignore[no-untyped-def]
    page = keep_marked_blocks(OLD, "# Benchmarks\n\n## Loading\n\nfigures\n")
    assert page.index("## Loading") < page.index("p95 412 ms") < page.index("by hand")


def test_a_block_the_report_writes_itself_is_not_doubled(keep_marked_blocks) -> None:  # type: ignore[no-untyped-def]
    new = "# B\n\n<!-- classes: begin -->\nfresh\n<!-- classes: end -->\n"
    page = keep_marked_blocks(OLD, new)
    assert "fresh" in page and "by hand" not in page


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_a_benchmark_script_calls_main_last(script: Path) -> None:
    # bench/run.py once called main() above the functions its report needed (a NameError)
    body = ast.parse(script.read_text(encoding="utf-8")).body
    guards = [
        i
        for i, node in enumerate(body)
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    ]
    assert guards in ([], [len(body) - 1]), f"{script.name}: the __main__ guard is not last"
