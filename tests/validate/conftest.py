"""Fixtures for the validation tests: one in-process validator per profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from gdcat.validate import Validator


@pytest.fixture(scope="session")
def validator() -> Iterator[Callable[[str], Validator]]:
    """``validator(profile)``: an in-process validator, one per profile for the session."""
    made: dict[str, Validator] = {}

    def get(profile: str) -> Validator:
        if profile not in made:
            made[profile] = Validator(profile, workers=1)
        return made[profile]

    yield get
    for v in made.values():
        v.close()
