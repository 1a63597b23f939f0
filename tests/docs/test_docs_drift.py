"""The generated docs (CLI reference, profile pages) are what `make generate` writes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdcat.docgen import MARKER, PROFILES_DIR, generate_docs, write_docs
from gdcat.paths import project_root


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return generate_docs()


def test_committed_docs_match_the_code_and_shapes(generated: dict[str, str]) -> None:
    root = project_root()
    stale = [
        relative
        for relative, text in sorted(generated.items())
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"generated docs are out of date, run make generate: {stale}"


def test_no_page_is_left_for_a_profile_that_is_gone(generated: dict[str, str]) -> None:
    root = project_root()
    leftovers = [
        path.relative_to(root).as_posix()
        for path in sorted((root / PROFILES_DIR).glob("*.md"))
        if path.relative_to(root).as_posix() not in generated
        and MARKER in path.read_text(encoding="utf-8")
    ]
    assert not leftovers, f"generated pages of removed profiles, run make generate: {leftovers}"


def test_generating_twice_gives_the_same_text(generated: dict[str, str]) -> None:
    assert generate_docs() == generated


def test_writing_updates_changed_pages_and_removes_pages_of_removed_profiles(
    tmp_path: Path,
) -> None:
    docs = {"docs/cli.md": "# CLI\n", f"{PROFILES_DIR}/gdcat.md": f"# gdcat\n{MARKER}\n"}
    assert write_docs(tmp_path, docs) == sorted(docs)
    assert write_docs(tmp_path, docs) == []

    removed = tmp_path / PROFILES_DIR / "old-profile.md"
    removed.write_text(f"# old\n{MARKER}\n", encoding="utf-8")
    hand_written = tmp_path / PROFILES_DIR / "notes.md"
    hand_written.write_text("# kept: no generated marker\n", encoding="utf-8")
    changed = write_docs(tmp_path, {**docs, "docs/cli.md": "# CLI v2\n"})

    assert changed == ["docs/cli.md", f"{PROFILES_DIR}/old-profile.md"]
    assert (tmp_path / "docs/cli.md").read_text(encoding="utf-8") == "# CLI v2\n"
    assert not removed.exists()
    assert hand_written.exists()
