"""Who is calling: the administrator (``settings.admin_token``) or a node's steward (a token of
the tokens file). HTTP-agnostic; the API turns the errors into 401 and 403 answers."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from gdcat.errors import GdcatError
from gdcat.publish.tokens import TokenFile


class AuthenticationError(GdcatError):
    """No usable credentials (HTTP 401)."""

    def __init__(self, message: str, *, invalid: bool) -> None:
        super().__init__(message)
        #: True when credentials were given but are wrong or revoked (RFC 6750 invalid_token)
        self.invalid = invalid


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the administrator, or the steward of one node."""

    role: Literal["admin", "steward"]
    #: the steward's node (None for the administrator)
    node: str | None = None
    #: the token's id (None for the administrator): what the audit trail names
    token_id: str | None = None
    #: the country the token was created for, if any
    country: str | None = None

    @property
    def label(self) -> str:
        return "admin" if self.role == "admin" else f"{self.token_id} (node {self.node})"


def identify(presented: str | None, tokens: TokenFile, admin_token: str | None) -> Caller:
    """The caller a bearer token stands for; :class:`AuthenticationError` when none."""
    if not presented:
        raise AuthenticationError("this call needs a bearer token", invalid=False)
    if admin_token and _same_secret(presented, admin_token):
        return Caller("admin")
    token = tokens.identify(presented)
    if token is None:
        raise AuthenticationError("the token is unknown or revoked", invalid=True)
    return Caller("steward", token.node, token.id, token.country)


def _same_secret(presented: str, expected: str) -> bool:
    """Constant-time equality; digests first, so that not even the length shows."""
    a = hashlib.sha256(presented.encode("utf-8")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)
