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


class ParseLimitError(InputError):
    """A document past one of the parse limits (:class:`gdcat.rdf.parse.ParseLimits`).

    The message names the limit, its value and the setting that raises it; ``setting`` and
    ``value`` say the same for programs (the API puts them in the problem document).
    """

    def __init__(
        self, message: str, location: SourceLocation | None = None, *, setting: str, value: int
    ) -> None:
        self.setting = setting
        self.value = value
        super().__init__(
            f"{message} (limit {setting} = {value:,}; an operator sets it with "
            f"GDCAT_{setting.upper()})",
            location,
        )


class DocumentTooLargeError(ParseLimitError, PayloadTooLargeError):
    """A document that would grow too large in memory: too many triples, too much entity
    expansion (HTTP 413)."""


class DocumentTooComplexError(ParseLimitError):
    """A document whose structure is past a limit: nesting too deep, too many entity
    declarations (HTTP 422)."""


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
