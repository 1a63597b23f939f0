"""The project's own error tree.

Library errors are wrapped at the boundary (``raise GdcatError(...) from e``) so that callers
handle one family of exceptions and the CLI / API map each kind to an exit code or a status.
"""

from __future__ import annotations

from dataclasses import dataclass


class GdcatError(Exception):
    """Base of every error gdcat raises on purpose."""


@dataclass(frozen=True)
class SourceLocation:
    """Where in an input something went wrong (1-based line and column when known)."""

    source: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class InputError(GdcatError):
    """Input that cannot be used at all (CLI exit code 2, HTTP 400)."""

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class RdfSyntaxError(InputError):
    """Malformed RDF: the message names the file, line and column."""


class UnsupportedFormatError(InputError):
    """A media type or file extension gdcat does not read or write (HTTP 406/415)."""


class PayloadTooLargeError(InputError):
    """An input larger than the configured limit (HTTP 413)."""


class ForbiddenNetworkAccessError(InputError):
    """Parsing tried to reach the network (remote JSON-LD context, XML external entity)."""


class StewardDocumentError(InputError):
    """A steward YAML document that does not follow the model (unknown field, wrong shape)."""


class ProfileError(GdcatError):
    """An unknown validation profile name or a broken shapes set."""


class StoreError(GdcatError):
    """The knowledge-graph store failed (I/O, corrupt database, transaction aborted)."""


class RecordNotFoundError(StoreError):
    """No record with that IRI is in the store."""


class QueryError(GdcatError):
    """A SPARQL query that cannot be parsed or evaluated (HTTP 400)."""
