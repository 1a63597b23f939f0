"""Publishing files to a running gdcat over HTTP (``gdcat publish``).

Each file is one document, sent to ``POST {server}/api/nodes/{node}/datasets`` with the media
type its extension names: its datasets are published together, or none of them. What comes
back is said in words a steward reads: what was published, or each refused dataset with where
it was written (a spreadsheet's sheet, row and column) and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gdcat.errors import InputError
from gdcat.rdf import format_for_path

#: How long a server may take to validate and store one document (a 500-row spreadsheet).
TIMEOUT = httpx.Timeout(600.0, connect=10.0)

#: Outcomes of one file, as exit codes: 0 published, 1 refused, 2 unusable or unreachable.
PUBLISHED, REFUSED, UNUSABLE = 0, 1, 2


@dataclass
class FileOutcome:
    """What happened to one file: the exit code it stands for and the lines to print."""

    path: Path
    code: int
    lines: list[str] = field(default_factory=list)


def publish_file(
    path: Path, *, node: str, server: str, token: str, client: httpx.Client
) -> FileOutcome:
    """Send one file; never raises for what the server answers or a server out of reach."""
    try:
        media_type = format_for_path(path).media_type
        body = path.read_bytes()
    except InputError as e:
        return FileOutcome(path, UNUSABLE, [f"error: {path}: {e.message}"])
    except OSError as e:
        return FileOutcome(path, UNUSABLE, [f"error: {path}: cannot read it: {e.strerror}"])
    url = f"{server.rstrip('/')}/api/nodes/{node}/datasets"
    try:
        answer = client.post(
            url,
            content=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": media_type,
                "Accept": "application/json, application/problem+json",
            },
        )
    except httpx.HTTPError as e:
        reason = str(e) or type(e).__name__
        return FileOutcome(
            path, UNUSABLE, [f"error: {path}: cannot reach {url}: {reason} (is gdcat serving?)"]
        )
    return _outcome(path, answer)


def _outcome(path: Path, answer: httpx.Response) -> FileOutcome:
    try:
        document: dict[str, Any] = answer.json()
    except ValueError:
        document = {}
    if answer.status_code == 201:
        items = document.get("items", [])
        lines = [f"published {path}: {len(items)} dataset(s)"]
        for item in items:
            warned = len(item.get("warnings", []))
            note = f", {warned} warning(s)" if warned else ""
            lines.append(
                f"  {item.get('status', '?'):<8} {item.get('dataset')}  {item.get('location')}"
                f"{note}"
            )
        return FileOutcome(path, PUBLISHED, lines)
    detail = document.get("detail") or answer.text[:500] or answer.reason_phrase
    if document.get("refused") is not None:
        return FileOutcome(path, REFUSED, _refusal_lines(path, document))
    if answer.status_code == 403:
        return FileOutcome(path, REFUSED, [f"refused {path}: {detail}"])
    return FileOutcome(
        path, UNUSABLE, [f"error: {path}: the server answered {answer.status_code}: {detail}"]
    )


def _refusal_lines(path: Path, document: dict[str, Any]) -> list[str]:
    refused = document.get("refused", [])
    total = document.get("records", "?")
    lines = [
        f"refused {path}: {len(refused)} of its {total} dataset(s) refused, so none was published"
    ]
    for item in refused:
        lines.append(f"  {_where(path, item.get('location'))}: {item.get('dataset')}")
        report = item.get("report")
        results = report.get("results", []) if isinstance(report, dict) else []
        violations = [r for r in results if r.get("severity") == "Violation"]
        if not violations:
            lines.append(f"    {item.get('reason')}")
        for result in violations:
            column = _column(result.get("location"))
            lines.append(
                f"    [Violation] {result.get('path') or '(record)'}{column}: "
                f"{result.get('message')}"
            )
            lines.append(f"        fix: {result.get('hint')}")
    return lines


def _where(path: Path, location: Any) -> str:
    """Where a refused dataset was written, the file named as the steward named it (the
    server knows it as "request body")."""
    parts = [str(path)]
    if not isinstance(location, dict):
        return parts[0]
    if location.get("sheet"):
        parts.append(f"sheet {location['sheet']}")
    if location.get("row") is not None:
        parts.append(f"row {location['row']}")
    return ", ".join(parts)


def _column(location: Any) -> str:
    if not isinstance(location, dict) or not location.get("column_letter"):
        return ""
    return f" (column {location['column_letter']})"
