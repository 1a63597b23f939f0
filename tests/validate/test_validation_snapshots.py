"""Faster validation, the same results: every result of a fixed corpus, as recorded before.

``result_snapshots.py`` says what is validated (the model's examples, the third-party corpus,
demo and scale records in one batch) and under which profiles; the recorded results are in
``snapshots/``. A change to pySHACL's use (:mod:`gdcat.validate.compiled`), to batching or to
the runner that alters any result (field, focus node, constraint component, severity, value,
message, hint, source shape), or loses or adds one, fails here.
"""

from __future__ import annotations

import pytest
from result_snapshots import PROFILES, normalised, read_snapshot, snapshot


@pytest.mark.parametrize("profile", PROFILES)
def test_every_result_is_the_one_recorded_before(profile: str) -> None:
    expected = read_snapshot(profile)
    found = normalised(snapshot(profile))
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert found[name] == expected[name], name
