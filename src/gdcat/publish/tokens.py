"""Steward tokens: one node each, stored only as hashes, checked in constant time.

A token is ``secrets.token_urlsafe(32)``: 256 random bits, shown once when created. The tokens
file (``settings.tokens_file``, JSON, mode 0600, replaced atomically) keeps its SHA-256, never
the token. A plain SHA-256 is enough here: slow, salted password hashes exist to make guessing
*low-entropy* secrets expensive, and nobody can guess 256 random bits however fast the hash is;
a salt defends against precomputed tables, which cannot exist for values no one has seen. A
fast hash also keeps checking a request cheap.

Checking a presented token hashes it and compares the digest with every stored one through
:func:`hmac.compare_digest`, without stopping at a match, so the time taken says nothing about
which stored digest (if any) shares a prefix with it.

The server reads the file again when it changes (a new inode, size or modification time), so
``gdcat token create`` and ``revoke`` take effect without a restart. Writers take an exclusive
lock on ``<file>.lock`` so that two commands never lose each other's change.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gdcat.countries import UnknownCountryError, country_code
from gdcat.errors import GdcatError, InputError

_FORMAT = 1
#: Node ids follow the registry's rule (lower-case letters, digits, ``.``, ``_``, ``-``).
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_TOKEN_ID = re.compile(r"^tok-[0-9a-f]{8}$")
_HASH_PREFIX = "sha256:"


class TokenFileError(GdcatError):
    """The tokens file cannot be read or written (CLI exit 3, HTTP 503)."""


@dataclass(frozen=True)
class StewardToken:
    """What the tokens file keeps about one token (never the token itself)."""

    id: str
    node: str
    digest: str
    created: str
    country: str | None = None
    label: str | None = None
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict[str, Any]:
        """The token's description without its digest (for listings)."""
        data = asdict(self)
        del data["digest"]
        return data


def token_digest(token: str) -> str:
    """The stored form of a token: ``sha256:<hex>``."""
    return _HASH_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_node_id(node: str) -> str:
    if not NODE_ID.match(node):
        raise InputError(
            f"not a node id: {node!r} (lower-case letters, digits, '.', '_' or '-', "
            "at most 63 characters, as in the node registry)"
        )
    return node


class TokenFile:
    """The tokens file: create, list, revoke, and identify a presented token."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._tokens: tuple[StewardToken, ...] = ()

    # -- reading --------------------------------------------------------------------------

    def tokens(self) -> list[StewardToken]:
        """Every token, revoked ones included, oldest first."""
        return list(self._current())

    def identify(self, presented: str) -> StewardToken | None:
        """The active token ``presented`` is, or None (unknown or revoked)."""
        digest = token_digest(presented).encode("ascii")
        found: StewardToken | None = None
        for token in self._current():
            # every stored digest is compared, whatever matched before
            if hmac.compare_digest(digest, token.digest.encode("ascii")) and found is None:
                found = token
        if found is None or not found.active:
            return None
        return found

    def _current(self) -> tuple[StewardToken, ...]:
        """The tokens as the file holds them now (read again only when it changed)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            with self._lock:
                self._signature, self._tokens = None, ()
            return ()
        except OSError as e:
            raise TokenFileError(f"cannot read the tokens file {self.path}: {e.strerror}") from e
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if signature != self._signature:
                self._tokens = tuple(_read(self.path))
                self._signature = signature
            return self._tokens

    # -- writing --------------------------------------------------------------------------

    def create(
        self, node: str, *, country: str | None = None, label: str | None = None
    ) -> tuple[StewardToken, str]:
        """A new token for ``node``: its description, and the token (shown once, never kept)."""
        check_node_id(node)
        if country is not None:
            try:
                country = country_code(country)
            except UnknownCountryError as e:
                raise InputError(str(e)) from None
        if label is not None and len(label) > 200:
            raise InputError("the label is longer than 200 characters")
        secret = secrets.token_urlsafe(32)
        with self._writing() as tokens:
            taken = {t.id for t in tokens}
            token_id = _new_id(taken)
            token = StewardToken(
                id=token_id,
                node=node,
                digest=token_digest(secret),
                created=_now(),
                country=country,
                label=label,
            )
            tokens.append(token)
        return token, secret

    def revoke(self, token_id: str) -> StewardToken | None:
        """Revoke a token (kept, marked revoked, so that the audit trail still names it);
        None if there is no such token. Revoking twice keeps the first revocation time."""
        with self._writing() as tokens:
            for index, token in enumerate(tokens):
                if token.id == token_id:
                    if token.active:
                        tokens[index] = replace(token, revoked=_now())
                    return tokens[index]
        return None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[list[StewardToken]]:
        """The tokens to change in place, written back atomically (mode 0600) under a lock."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise TokenFileError(f"cannot write the tokens file {self.path}: {e.strerror}") from e
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            tokens = _read(self.path) if self.path.exists() else []
            yield tokens
            _write(self.path, tokens)
        finally:
            os.close(lock)


def _read(path: Path) -> list[StewardToken]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TokenFileError(f"cannot read the tokens file {path}: {e.strerror}") from e
    except ValueError as e:
        raise TokenFileError(f"the tokens file {path} is not valid JSON: {e}") from e
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise TokenFileError(f"the tokens file {path} is not a gdcat tokens file (format 1)")
    tokens = []
    for entry in data.get("tokens", []):
        try:
            token = StewardToken(**entry)
        except TypeError as e:
            raise TokenFileError(f"the tokens file {path} has a malformed entry: {e}") from e
        if not (_TOKEN_ID.match(token.id) and token.digest.startswith(_HASH_PREFIX)):
            raise TokenFileError(f"the tokens file {path} has a malformed entry {token.id!r}")
        tokens.append(token)
    return tokens


def _write(path: Path, tokens: list[StewardToken]) -> None:
    """Write next to the file, flush to disk, then rename over it: readers see the old file
    or the new one, never half of it."""
    document = {"format": _FORMAT, "tokens": [asdict(t) for t in tokens]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=".tokens-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise TokenFileError(f"cannot write the tokens file {path}: {e.strerror}") from e


def _new_id(taken: set[str]) -> str:
    while True:
        token_id = "tok-" + secrets.token_hex(4)
        if token_id not in taken:
            return token_id


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
