"""Every command, profile and setting a user meets is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from gdcat.cli import main
from gdcat.paths import project_root
from gdcat.settings import Settings
from gdcat.validate import PROFILE_NAMES, get_profile

DOCS = project_root() / "docs"


def _command_paths(command: click.Command, path: str) -> list[str]:
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                found += _command_paths(sub, f"{path} {name}")
    return found


def test_every_cli_command_has_a_section_with_its_usage() -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = _command_paths(main, "gdcat")
    assert len(commands) > 5
    for path in commands:
        assert f"## `{path}`" in reference, f"docs/cli.md has no section for `{path}`"
        assert f"Usage: {path} " in reference, f"docs/cli.md has no usage line for `{path}`"


def test_every_option_of_every_command_is_in_the_reference() -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for flag in param.opts:
                    assert flag in reference, f"`gdcat {name} {flag}` is not in docs/cli.md"


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_profile_has_a_page_with_its_rules(name: str) -> None:
    page = DOCS / "profiles" / f"{name}.md"
    assert page.is_file(), f"no page for profile {name}, run make generate"
    text = page.read_text(encoding="utf-8")
    profile = get_profile(name)
    assert profile.title in text
    for level in profile.level_names:
        for shape_file in profile.files(level):
            assert f"`{shape_file.path}`" in text, f"{name}.md does not list {shape_file.path}"
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows, f"{name}.md has no rules table"
    if len(profile.level_names) > 1:
        for level in profile.level_names:
            assert f"## Level {level}" in text


def test_the_profile_index_links_every_profile() -> None:
    index = (DOCS / "profiles" / "index.md").read_text(encoding="utf-8")
    for name in PROFILE_NAMES:
        assert f"]({name}.md)" in index


def _shown(default: object) -> str:
    """A default as the guide writes it: ``none``, ``false``, a JSON list, a path."""
    if default is None:
        return "none"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, tuple):
        return f"`{json.dumps(list(default))}`"
    if isinstance(default, Path):
        return f"`{default.as_posix()}`"
    return f"`{default}`"


def test_every_setting_is_in_the_operator_guide_with_its_variable_and_default() -> None:
    guide = (DOCS / "operator-guide.md").read_text(encoding="utf-8")
    rows = {
        match.group(1): line
        for line in guide.splitlines()
        if (match := re.match(r"\| `(\w+)` \| `GDCAT_\w+` \|", line))
    }
    for field, info in Settings.model_fields.items():
        variable = f"GDCAT_{field.upper()}"
        assert field in rows, f"setting {field} ({variable}) is not in docs/operator-guide.md"
        row = rows[field]
        assert f"`{variable}`" in row, f"{field}'s row does not name {variable}"
        default = _shown(info.default)
        assert default in row, f"{field}'s row does not give its default {default}"


@pytest.mark.parametrize(
    "page", ["operator-guide.md", "steward-guide.md", "cli.md", "profiles/index.md"]
)
def test_links_between_docs_point_at_files_that_exist(page: str) -> None:
    path = DOCS / page
    text = path.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    assert local, f"{page} links to no other page"
    missing = [t for t in local if not (path.parent / t).exists()]
    assert not missing, f"{page} links to missing files: {missing}"


def test_links_to_headings_of_the_guides_exist() -> None:
    def anchors(page: Path) -> set[str]:
        headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
        return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}

    for page in ("operator-guide.md", "steward-guide.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([\w./-]+\.md)#([\w-]+)\)", text):
            assert anchor in anchors(DOCS / target), f"{page}: no heading #{anchor} in {target}"
