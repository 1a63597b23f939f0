"""Tests in a real browser: Debian's Chromium (``/usr/bin/chromium``), driven by Playwright.

The browser is the system's, never one Playwright downloads: ``.ci/run`` installs Debian's
``chromium`` package where it is missing. Without it the browser tests are skipped on a
developer's machine and fail in CI (``CI`` set).

- ``browser``: one headless Chromium for the session, with no network of its own besides
  the pages it is sent to (no background updates, sync or component downloads).
- ``open_tab(...)``: a fresh browser context and page (options such as ``bypass_csp`` go to
  the context), which records what a user would be shown or what went wrong: console errors,
  uncaught page errors and dialogs (dismissed). ``tab`` is one with the default options.
- ``Tab.screenshot(name)`` saves ``docs/screenshots/<name>.png`` for the documentation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_tabs import CHROMIUM, CHROMIUM_ARGS, Tab
from playwright.sync_api import Browser, ConsoleMessage, Dialog, sync_playwright


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """``open_tab(**context_options)``: a new tab; every tab is closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Tab:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                tab.console_errors.append(message.text)

        def on_dialog(dialog: Dialog) -> None:
            tab.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        page.on("dialog", on_dialog)
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(open_tab: Callable[..., Tab]) -> Tab:
    return open_tab()
