"""The browser harness's parts the tests import: :class:`Tab`, where screenshots go, and
:func:`running_gdcat` (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from gdcat.api import create_app
from gdcat.api.server import reserve_port, running
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Tab:
    """A page in its own browser context, and what it showed or failed at."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, url: str) -> int:
        """Load ``url`` (until its ``load`` event); its HTTP status."""
        response = self.page.goto(url, wait_until="load")
        assert response is not None, f"no answer for {url}"
        return response.status

    @property
    def problems(self) -> list[str]:
        """Everything that went wrong on the page so far (console errors such as a refused
        script or style, uncaught errors, dialogs)."""
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"error: {m}" for m in self.page_errors]
            + [f"dialog: {m}" for m in self.dialogs]
        )

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save what the window shows (or the whole page) as ``docs/screenshots/<name>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def running_gdcat(
    tmp: Path, **settings_overrides: Any
) -> Iterator[tuple[str, Settings, OxigraphStore]]:
    """gdcat over a fresh store under ``tmp``, served in this process on a free port of
    127.0.0.1: its URL (no trailing slash), settings and store (to load data into)."""
    sock = reserve_port()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    settings = Settings(
        base_iri=base,
        store_dir=tmp / "store",
        tokens_file=tmp / "tokens.json",
        validation_workers=1,
        **settings_overrides,
    )
    store = OxigraphStore(settings.store_dir, base)
    try:
        app = create_app(settings, store)
        with running(app, sock) as url:
            yield url, settings, store
    finally:
        store.close()
