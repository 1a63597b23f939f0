"""The steward's browser session: the cookie value, the form token, revocation."""

from __future__ import annotations

from pathlib import Path

from gdcat.publish.session import form_token, new_cookie_value, open_session
from gdcat.publish.tokens import TokenFile


def test_a_cookie_opens_the_session_of_its_node_with_a_form_token(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    _, secret = tokens.create("nl", country="NLD")
    cookie = new_cookie_value(secret)

    session = open_session(cookie, tokens, admin_token=None)

    assert session is not None and session.node == "nl" and session.caller.role == "steward"
    assert secret not in session.form_token  # the page never shows the token itself
    assert session.accepts(session.form_token)
    assert not session.accepts(None) and not session.accepts("")
    assert not session.accepts(form_token(secret, "another-nonce"))


def test_signing_in_again_retires_the_form_tokens_of_the_earlier_session(
    tmp_path: Path,
) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    _, secret = tokens.create("nl")
    first = open_session(new_cookie_value(secret), tokens, None)
    second = open_session(new_cookie_value(secret), tokens, None)
    assert first is not None and second is not None
    assert first.form_token != second.form_token
    assert not second.accepts(first.form_token)


def test_a_revoked_unknown_or_malformed_cookie_opens_nothing(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    created, secret = tokens.create("nl")
    cookie = new_cookie_value(secret)
    assert open_session("", tokens, None) is None
    assert open_session("no-separator", tokens, None) is None
    assert open_session(".nonce-only", tokens, None) is None
    assert open_session(new_cookie_value("not-a-token"), tokens, None) is None
    tokens.revoke(created.id)
    assert open_session(cookie, tokens, None) is None


def test_the_admin_token_signs_in_as_administrator(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    session = open_session(new_cookie_value("s3cret-admin"), tokens, "s3cret-admin")
    assert session is not None and session.caller.role == "admin" and session.node is None
