"""A steward's browser session: the node token in a cookie, and the token that proves a form
was served by gdcat (cross-site request forgery).

gdcat keeps no password store and no session table of its own. Signing in puts the steward's
token (``gdcat token create``) and a random session nonce into one cookie; the server stores
nothing. Every form a signed-in page serves carries a *form token* derived from both with an
HMAC keyed by the steward token itself: another site cannot compute it (it knows neither
value), a leaked form token reveals nothing about the steward token, and any number of serving
processes accept each other's forms without sharing a secret. Signing in again draws a new
nonce, so the form tokens of the browser's earlier session stop working there.

Since the server keeps no session table, signing out removes the cookie from the browser but
cannot make a copy of it stop working; revoking the token (``gdcat token revoke``) ends every
session of that token at once, as it ends the token's API use.

HTTP-agnostic: :mod:`gdcat.ui.steward_session` reads and writes the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from gdcat.publish.auth import AuthenticationError, Caller, identify
from gdcat.publish.tokens import TokenFile

#: Separates the token and the nonce in the cookie value (neither contains it).
_SEPARATOR = "."
_NONCE_BYTES = 16


@dataclass(frozen=True)
class StewardSession:
    """A signed-in steward: who (the token's caller) and the form token of the session."""

    caller: Caller
    #: put in every form of the session (hidden field ``csrf_token``); checked on every post
    form_token: str

    @property
    def node(self) -> str | None:
        """The node whose records the session may change (None for the administrator)."""
        return self.caller.node

    def accepts(self, presented: str | None) -> bool:
        """True when ``presented`` is this session's form token (constant time)."""
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.form_token.encode("utf-8"))


def new_cookie_value(token: str) -> str:
    """The cookie value that signs ``token`` in: the token and a fresh nonce."""
    return token + _SEPARATOR + secrets.token_urlsafe(_NONCE_BYTES)


def form_token(token: str, nonce: str) -> str:
    """The form token of the session ``nonce`` of ``token``."""
    mac = hmac.new(token.encode("utf-8"), b"gdcat-form\x00" + nonce.encode("ascii"), hashlib.sha256)
    return mac.hexdigest()


def open_session(
    cookie_value: str | None, tokens: TokenFile, admin_token: str | None
) -> StewardSession | None:
    """The session a cookie stands for, or None (no cookie, malformed, token unknown or
    revoked: a revoked token ends every session at once). Raises
    :class:`gdcat.publish.TokenFileError` when the tokens file cannot be read."""
    if not cookie_value or _SEPARATOR not in cookie_value:
        return None
    token, _, nonce = cookie_value.rpartition(_SEPARATOR)
    if not token or not nonce or not nonce.isascii():
        return None
    try:
        caller = identify(token, tokens, admin_token)
    except AuthenticationError:
        return None
    return StewardSession(caller, form_token(token, nonce))


__all__ = ["StewardSession", "form_token", "new_cookie_value", "open_session"]
