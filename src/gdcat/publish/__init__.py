"""Publishing for stewards: node-scoped tokens, writing and withdrawing a node's own records
(validated on write), and the audit trail of every attempt."""

from gdcat.publish.audit import AuditEntry, AuditTrail, audit_graph_iri
from gdcat.publish.auth import AuthenticationError, Caller, identify
from gdcat.publish.tokens import StewardToken, TokenFile, TokenFileError, token_digest
from gdcat.publish.writer import (
    DocumentMismatchError,
    DocumentRefusedError,
    NotOwnerError,
    Published,
    Publisher,
    RecordRefusal,
    RecordRefusedError,
)
from gdcat.store.records import is_published_source, published_source

__all__ = [
    "AuditEntry",
    "AuditTrail",
    "AuthenticationError",
    "Caller",
    "DocumentMismatchError",
    "DocumentRefusedError",
    "NotOwnerError",
    "Published",
    "Publisher",
    "RecordRefusal",
    "RecordRefusedError",
    "StewardToken",
    "TokenFile",
    "TokenFileError",
    "audit_graph_iri",
    "identify",
    "is_published_source",
    "published_source",
    "token_digest",
]
