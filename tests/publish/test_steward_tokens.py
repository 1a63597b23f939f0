"""Steward tokens as an operator handles them: created once and shown once, stored only as
hashes in a private file, listed without secrets, revoked at once; and the command line."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gdcat.cli import main
from gdcat.errors import InputError
from gdcat.publish import AuthenticationError, TokenFile, TokenFileError, identify


def run(*args: str, tokens: Path) -> Result:
    return CliRunner().invoke(main, ["token", *args, "--tokens", str(tokens)])


def test_a_token_is_stored_only_as_its_hash_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "tokens.json"
    tokens = TokenFile(path)
    created, secret = tokens.create("nl", country="NLD", label="NL steward")

    text = path.read_text()
    assert secret not in text and secret[:16] not in text
    assert hashlib.sha256(secret.encode()).hexdigest() in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (entry,) = json.loads(text)["tokens"]
    assert entry["id"] == created.id and entry["node"] == "nl" and entry["country"] == "NLD"
    assert len(secret) >= 43  # 32 random bytes, base64url
    assert tokens.identify(secret) == created
    assert tokens.identify(secret + "x") is None
    assert tokens.identify("") is None


def test_each_token_is_new_and_names_its_node(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    made = [tokens.create("nl"), tokens.create("nl"), tokens.create("be")]
    assert len({secret for _, secret in made}) == 3
    assert len({t.id for t, _ in made}) == 3
    assert [tokens.identify(secret).node for _, secret in made] == ["nl", "nl", "be"]  # type: ignore[union-attr]


def test_a_revoked_token_no_longer_identifies_anyone(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    server_side = TokenFile(path)  # what a running server holds
    created, secret = TokenFile(path).create("nl")
    assert server_side.identify(secret) is not None

    revoked = TokenFile(path).revoke(created.id)  # what `gdcat token revoke` does

    assert revoked is not None and revoked.revoked is not None
    assert server_side.identify(secret) is None
    assert TokenFile(path).revoke("tok-00000000") is None
    assert [t.id for t in server_side.tokens()] == [created.id]  # kept for the audit trail


def test_the_caller_is_the_admin_a_steward_or_nobody(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    created, secret = tokens.create("be", country="BEL")
    assert identify("adm", tokens, "adm").role == "admin"
    steward = identify(secret, tokens, "adm")
    assert (steward.role, steward.node, steward.token_id, steward.country) == (
        "steward",
        "be",
        created.id,
        "BEL",
    )
    with pytest.raises(AuthenticationError) as missing:
        identify(None, tokens, "adm")
    assert not missing.value.invalid
    with pytest.raises(AuthenticationError) as wrong:
        identify("adm ", tokens, "adm")
    assert wrong.value.invalid
    with pytest.raises(AuthenticationError):
        identify("anything", tokens, None)  # no admin token configured: nobody is admin


def test_bad_node_ids_countries_and_files_are_refused(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    for node in ("NL", "", "nl/../be", "x" * 70):
        with pytest.raises(InputError):
            tokens.create(node)
    with pytest.raises(InputError, match="'QQ' is not a known country code"):
        tokens.create("nl", country="QQ")
    assert not (tmp_path / "tokens.json").exists()
    created, _ = tokens.create("nl", country="nl")  # alpha-2, in any case: kept as alpha-3
    assert created.country == "NLD"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(TokenFileError):
        TokenFile(broken).identify("x")
    with pytest.raises(TokenFileError):
        TokenFile(broken).create("nl")
    assert broken.read_text() == "{not json"  # a broken file is never overwritten


def test_token_create_prints_the_token_alone_and_list_never_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    created = run("create", "nl", "--country", "NLD", "--label", "NL steward", tokens=path)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert "\n" not in secret and len(secret) >= 43
    assert "tok-" in created.stderr and "shown only now" in created.stderr
    assert TokenFile(path).identify(secret) is not None

    listed = run("list", tokens=path)
    assert listed.exit_code == 0
    assert "nl" in listed.output and "NL steward" in listed.output and "active" in listed.output
    assert secret not in listed.output
    as_json = json.loads(run("list", "--format", "json", tokens=path).output)
    assert [t["node"] for t in as_json] == ["nl"]
    assert "digest" not in as_json[0] and secret not in json.dumps(as_json)
    assert secret not in path.read_text()


def test_token_revoke_takes_effect_and_unknown_ids_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    secret = run("create", "be", tokens=path).stdout.strip()
    (token,) = TokenFile(path).tokens()

    revoked = run("revoke", token.id, tokens=path)

    assert revoked.exit_code == 0 and token.id in revoked.output
    assert TokenFile(path).identify(secret) is None
    assert "revoked" in run("list", tokens=path).output
    unknown = run("revoke", "tok-12345678", tokens=path)
    assert unknown.exit_code == 1 and "no token tok-12345678" in unknown.stderr


def test_token_create_with_an_unusable_node_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    result = run("create", "Not A Node", tokens=path)
    assert result.exit_code == 2
    assert "not a node id" in result.stderr
    assert result.stdout == ""
    assert not path.exists()


def test_the_tokens_file_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.json"
    monkeypatch.setenv("GDCAT_TOKENS_FILE", str(path))
    result = CliRunner().invoke(main, ["token", "create", "se"])
    assert result.exit_code == 0, result.output
    assert TokenFile(path).identify(result.stdout.strip()) is not None
