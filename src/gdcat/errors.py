"""The project's own error tree.

Library errors are wrapped at the boundary (``raise GdcatError(...) from e``) so that callers
handle one family of exceptions and the CLI / API map each kind to an exit code or a status.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass


class GdcatError(Exception):
    """Base of every error gdcat raises on purpose.

    ``str(error)`` is the whole story, for the server log and the command line;
    :attr:`public_message` is what a client of the server is told, which never holds the
    server's internals (file paths): a raiser that quotes the operating system gives a
    ``public`` text of its own.
    """

    def __init__(self, *args: object, public: str | None = None) -> None:
        super().__init__(*args)
        self._public = public

    @property
    def public_message(self) -> str:
        """What an HTTP client (and the public audit trail) may read about this error."""
        public: str | None = getattr(self, "_public", None)
        return public if public is not None else str(self)


@dataclass(frozen=True)
class SourceLocation:
    """Where in an input something went wrong (1-based line and column when known).

    In a spreadsheet, ``sheet`` names the sheet (``""`` in a CSV file), ``line`` is the row,
    ``column`` the column's number and ``field`` the column's header: ``data.xlsx, sheet
    datasets, row 5, column C (number_of_genomes)``.
    """

    source: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return self._in_sheet()
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def _in_sheet(self) -> str:
        parts = [self.source] + ([f"sheet {self.sheet}"] if self.sheet else [])
        if self.line is not None:
            parts.append(f"row {self.line}")
        if self.column is not None:
            parts.append(f"column {column_letter(self.column)}")
        where = ", ".join(parts)
        if self.field is not None:
            where += f" ({self.field})"
        return where

    def to_json(self) -> dict[str, str | int | None]:
        """``{source, line, column}``, with ``sheet``, ``row`` and ``field`` in a spreadsheet."""
        out: dict[str, str | int | None] = {
            "source": self.source,
            "line": self.line,
            "column": self.column,
        }
        if self.sheet is not None:
            out["sheet"] = self.sheet
            out["row"] = self.line
            out["column_letter"] = column_letter(self.column) if self.column else None
            out["field"] = self.field
        return out


def column_letter(number: int) -> str:
    """A spreadsheet column's letters: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
    """The knowledge-graph store failed (I/O, corrupt database, transaction aborted).

    A store failure is the server's, never the client's: its :attr:`public_message` is
    ``public`` when given, else the message with every absolute file path taken out (an
    operating-system error quoted in it names the server's files). ``retry_after`` says in
    how many seconds the store may be usable again (HTTP ``Retry-After``), when known.
    """

    def __init__(
        self, message: str, *, public: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, public=public if public is not None else without_paths(message))
        self.retry_after = retry_after


class RecordNotFoundError(StoreError):
    """No record with that IRI is in the store."""


class QueryError(GdcatError):
    """A SPARQL query that cannot be parsed or evaluated (HTTP 400)."""


#: An absolute file path (``/var/lib/gdcat/store/000011.log``), not the path of a URL
#: (``http://host/a/b``: its slashes follow ``:``, ``/`` or a host name).
_ABSOLUTE_PATH = re.compile(r"(?<![\w/:.~%-])/[^\s/'\"():;,<>]+(?:/[^\s/'\"():;,<>]*)*")


def without_paths(message: str) -> str:
    """``message`` with every absolute file path replaced by ``(a server file)``."""
    return _ABSOLUTE_PATH.sub("(a server file)", message)


_OS_REASONS: tuple[tuple[frozenset[int], str, str], ...] = (
    (
        frozenset({errno.ENOSPC, errno.EDQUOT}),
        "no space left on device",
        "the server's disk is full",
    ),
    (frozenset({errno.EROFS}), "read-only file system", "the server's disk is read-only"),
    (
        frozenset({errno.EACCES, errno.EPERM}),
        "permission denied",
        "the server may not write its data files",
    ),
    (frozenset({errno.EIO}), "input/output error", "the server's disk reported an I/O error"),
    (frozenset({errno.ENOLCK}), "lock", "the store is held by another process"),
)


def os_reason(error: BaseException) -> str:
    """What went wrong in an operating-system error, said without a path (the error itself,
    with the path, is for the server log). pyoxigraph's errors carry no ``errno``: their
    text is read too."""
    code = getattr(error, "errno", None)
    text = str(error).lower()
    for codes, words, reason in _OS_REASONS:
        if code in codes or words in text:
            return reason
    return "the server's disk or files failed"


class ListingPendingError(GdcatError):
    """The listing of live records is being read for the first time since the start (try
    again in :attr:`retry_after` seconds)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "the catalogues are being listed since the server started (minutes for a large "
            f"catalogue); try again in {retry_after:g} s"
        )
        self.retry_after = retry_after
