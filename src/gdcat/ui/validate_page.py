"""The validation page (``/validate``): check a document against a profile, read the report.

Anyone may validate (no sign-in): a steward uploads a file or pastes a document, picks a
profile, and reads what is wrong, grouped by dataset and field, violations first, each with a
hint that shows a correct value (:mod:`gdcat.validate.guide`). The report downloads as JSON,
as Turtle (the SHACL validation report graph) and as CSV.

One path, the one ``gdcat validate`` takes: the format comes from
:mod:`gdcat.rdf.formats` (the file's extension through ``format_for_path``, or the chooser's
name through ``get_format``: a format added to that table is accepted here unchanged), the
bytes are parsed by ``parse_bytes`` with the configured size and parse limits, cut into records
by :func:`gdcat.ingest.records_of_document` and validated by :func:`gdcat.ingest.check_records`.

Nothing is stored: not the document, not the report. The report page carries the document
back, base64-encoded in a hidden field, in the form of its download buttons, so a download
posts the same input again with ``download=json|turtle|csv`` and is validated anew (up to
:data:`EMBEDDED_BYTES`; a larger document is downloaded by choosing the report's form in the
first form). Everything works without JavaScript.
"""

from __future__ import annotations

import base64
import binascii
import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI
from markupsafe import Markup
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message

from gdcat.errors import (
    InputError,
    PayloadTooLargeError,
    SourceLocation,
    UnsupportedFormatError,
    column_letter,
)
from gdcat.ingest import Checked, check_records, records_of_document
from gdcat.rdf.formats import FORMATS, RdfFormat, format_for_path, get_format
from gdcat.rdf.parse import ParseLimits, parse_bytes
from gdcat.settings import Settings
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.labels import readable_size
from gdcat.ui.pages import (
    field_words,
    format_number,
    labelled,
    offer_page,
    reader_of,
    render,
    with_code,
)
from gdcat.ui.search_page import Context
from gdcat.validate import PROFILE_NAMES, ValidationReport, ValidationResult, Validator
from gdcat.validate.profiles import Profile, get_profile
from gdcat.validate.report import SEVERITIES

#: Largest document the report page carries back for its download buttons (base64 in a
#: hidden field, a third larger); a larger one is downloaded by choosing the report's form
#: before validating.
EMBEDDED_BYTES = 4 * 1024 * 1024
#: Bytes a form may hold beyond its document (the other fields, multipart boundaries).
FORM_OVERHEAD = 64 * 1024
#: Fields the form has (a post with more is refused by the form parser).
MAX_FIELDS = 16
#: At most this many records open their details at first; larger reports start collapsed.
OPEN_RECORDS = 20
#: Name of the whole document when it describes no dataset.
DOCUMENT_IRI = "urn:x-gdcat:validated-document"
#: The pasted text's name in messages.
PASTED = "pasted text"

#: Each profile's name as the page shows it (what it is for is the profile's own
#: ``purpose``, translated). Every profile of :mod:`gdcat.validate.profiles` that is not one
#: level of another needs its entry.
PROFILE_LABELS: dict[str, str] = {
    "gdcat": N_("gdcat (genomic datasets)"),
    "dcat-ap-3": "DCAT-AP 3.0.1",
    "healthdcat-ap-r8": "HealthDCAT-AP Release 8",
    "gdi": N_("GDI metadata model v1.1"),
    "fdp": "FAIR Data Point",
}
#: The levels of a profile with levels, for the level chooser ("" = each dataset's own).
LEVEL_WORDS: dict[str, str] = {
    "": N_("Each dataset at the level of its own access rights"),
    "PUBLIC": N_("Public: every dataset checked as public data"),
    "RESTRICTED": N_("Restricted: every dataset checked as restricted data"),
    "NON_PUBLIC": N_("Non-public: every dataset checked as non-public data"),
}
LEVEL_NAMES: dict[str, str] = {
    "PUBLIC": N_("public"),
    "RESTRICTED": N_("restricted"),
    "NON_PUBLIC": N_("non-public"),
}
SEVERITY_WORDS: dict[str, str] = {
    "Violation": N_("Violation"),
    "Warning": N_("Warning"),
    "Info": N_("Note"),
}
#: The report's forms: (``download=`` value, label, media type, file extension).
DOWNLOADS: tuple[tuple[str, str, str, str], ...] = (
    ("json", "JSON", "application/json", "json"),
    ("turtle", "Turtle", "text/turtle", "ttl"),
    ("csv", "CSV", "text/csv", "csv"),
)
CSV_COLUMNS = (
    "record",
    "title",
    "field",
    "severity",
    "message",
    "hint",
    "value",
    "focus_node",
    "location",
)


# --- profiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChoice:
    """A profile the page offers, with its levels (profile names by level) if it has any."""

    name: str
    title: str
    sentence: str
    levels: tuple[tuple[str, str], ...] = ()


def _profile_choices() -> tuple[ProfileChoice, ...]:
    """Every profile, the single-level variants of a profile with levels folded into it."""
    profiles = [get_profile(name) for name in PROFILE_NAMES]
    variants: dict[str, list[tuple[str, str]]] = {}
    folded: set[str] = set()
    for parent in profiles:
        if not parent.level_from_access_rights:
            continue
        for candidate in profiles:
            if _is_level_of(candidate, parent):
                variants.setdefault(parent.name, []).append(
                    (candidate.levels[0].name, candidate.name)
                )
                folded.add(candidate.name)
    choices = []
    for profile in profiles:
        if profile.name in folded:
            continue
        if profile.name not in PROFILE_LABELS or not profile.purpose:
            raise RuntimeError(f"the validation page has no words for profile {profile.name}")
        levels = tuple(variants.get(profile.name, ()))
        if any(level not in LEVEL_WORDS for level, _ in levels):
            raise RuntimeError(f"the validation page has no words for a level of {profile.name}")
        label = PROFILE_LABELS[profile.name]
        choices.append(ProfileChoice(profile.name, label, profile.purpose, levels))
    return tuple(choices)


def _is_level_of(candidate: Profile, parent: Profile) -> bool:
    return (
        candidate.name.startswith(parent.name + "-")
        and len(candidate.levels) == 1
        and candidate.levels[0] in parent.levels
    )


PROFILE_CHOICES = _profile_choices()
_CHOICES_BY_NAME = {choice.name: choice for choice in PROFILE_CHOICES}


def profile_for(name: str, level: str) -> str:
    """The profile to validate with: ``name``, or its variant at ``level`` when one is chosen.
    :class:`InputError` for a profile or level the page does not offer."""
    choice = _CHOICES_BY_NAME.get(name)
    if choice is None:
        raise InputError(f"unknown validation profile {name!r}")
    if not level or not choice.levels:  # the level chooser only speaks for profiles with levels
        return name
    for level_name, variant in choice.levels:
        if level_name == level:
            return variant
    raise InputError(f"profile {name!r} has no level {level!r}")


# --- the submitted document --------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """What the form sent: the document, its name, format, profile and report form."""

    data: bytes
    name: str
    fmt: RdfFormat
    #: the profile chosen, its level ("" = each dataset's own) and the profile that says both
    profile: str
    level: str
    effective_profile: str
    download: str
    #: the pasted text, to show again in the form
    text: str = ""


class FormProblem(Exception):
    """The form cannot be used as sent (no document, an unknown format…): said in words."""

    def __init__(self, message: str, *, status: int = 400, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


def guess_format(text: str) -> RdfFormat:
    """The format pasted text most likely is (the chooser overrides a wrong guess)."""
    head = text.lstrip("\ufeff \t\r\n")[:4000]
    if head.startswith(("{", "[")):
        return get_format("jsonld")
    if head.startswith("<?xml") or re.search(r"<rdf:RDF\b", head):
        return get_format("rdfxml")
    if re.search(r"^\s*(@prefix|@base|prefix\s|base\s)", head, re.M | re.I):
        return get_format("turtle")
    if re.match(r"(<[^>\s]+>|_:\S+)\s+<[^>\s]+>\s+", head):
        return get_format("ntriples")
    if re.search(r"^(- )?[A-Za-z_][\w-]*:(\s|$)", head, re.M):
        return get_format("yaml")
    return get_format("turtle")


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def submission_of(request: Request, settings: Settings) -> Submission:
    """The form of ``request``, read with a bounded read: a body over the limit is refused
    before the form parser (which spools file parts) sees it."""
    limit = settings.max_document_bytes * 4 // 3 + FORM_OVERHEAD
    body = await _bounded_body(request, limit)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(
        max_files=1, max_fields=MAX_FIELDS, max_part_size=limit
    )
    try:
        return _submission(form, settings.default_profile)
    finally:
        await form.close()


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the form is {int(declared):,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"the form is over {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _submission(form: FormData, default_profile: str) -> Submission:
    profile = _field(form, "profile") or default_profile
    level = _field(form, "level")
    try:
        effective = profile_for(profile, level)
    except InputError:
        raise FormProblem(N_("Choose one of the profiles in the list.")) from None
    download = _field(form, "download")
    if download and download not in {d[0] for d in DOWNLOADS}:
        raise FormProblem(N_("The report cannot be downloaded in that form."))
    chosen = _field(form, "format") or "auto"
    text = _field(form, "text")
    upload = form.get("file")
    embedded = _field(form, "document")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read()
        name = PurePath(upload.filename).name or "upload"
    elif embedded:
        try:
            data = base64.urlsafe_b64decode(embedded.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise FormProblem(N_("The document sent back with the form is damaged.")) from None
        name = _field(form, "document_name") or "document"
    elif text.strip():
        data, name = text.encode("utf-8"), PASTED
    else:
        raise FormProblem(N_("Choose a file or paste a document to validate."))
    if not data:
        raise FormProblem(N_("The file is empty."))
    try:
        if chosen != "auto":
            fmt = get_format(chosen)
        elif name == PASTED:
            fmt = guess_format(text)
        else:
            fmt = format_for_path(name)
    except UnsupportedFormatError as e:
        raise FormProblem(
            N_("The format of the document is not known: choose it in the list."),
            detail=e.message,
        ) from None
    pasted = text if name == PASTED else ""
    return Submission(data, name, fmt, profile, level, effective, download, pasted)


# --- validating ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """The records of a document with their reports, and the profile used."""

    profile: str
    checked: list[Checked]

    def report(self) -> ValidationReport:
        return ValidationReport.combine((c.report for c in self.checked), self.profile)


def validate_submission(submission: Submission, settings: Settings) -> Outcome:
    """Parse, split and validate (blocking: runs in a worker thread). Raises
    :class:`InputError` for a document that cannot be used."""
    profile = submission.effective_profile
    graph = parse_bytes(
        submission.data,
        submission.fmt,
        source=submission.name,
        max_bytes=settings.max_document_bytes,
        limits=ParseLimits.from_settings(settings),
    )
    records = records_of_document(graph, submission.name, DOCUMENT_IRI)
    # A validator is a light object (3 ms to make: the shapes and vocabularies it reads are
    # parsed once per process); one worker: the runs of a process take turns anyway (the lock
    # in validate/runner.py), and worker processes per request would cost seconds.
    validator = Validator(profile, settings=settings, workers=1)
    return Outcome(profile, check_records(records, validator))


# --- the report as people read it ------------------------------------------------------------


@dataclass(frozen=True)
class ResultView:
    severity: str
    message: Markup
    hint: Markup
    value: str | None
    focus_node: str
    #: Where the field was written, in words (a spreadsheet's sheet, row and column; a
    #: text's line), or ``""``.
    where: str = ""


@dataclass
class FieldView:
    name: str
    #: the field's label in the reader's language (the model's, ``field_words``)
    label: str = ""
    results: list[ResultView] = field(default_factory=list)


@dataclass
class RecordView:
    iri: str
    title: str
    title_lang: str | None
    kind: str
    counts: dict[str, int]
    fields: list[FieldView]
    open: bool = False

    @property
    def conforms(self) -> bool:
        return self.counts["Violation"] == 0


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def record_title(checked: Checked, lang: str) -> tuple[str, str | None]:
    if checked.record.kind == "Document":
        return "", None
    label = labelled(checked.record.graph, URIRef(checked.record.iri), lang)
    return (label.text, label.lang) if label is not None else ("", None)


def record_views(outcome: Outcome, reader: Reader) -> list[RecordView]:
    lang = reader.lang
    views: list[RecordView] = []
    for checked in outcome.checked:
        counts = dict.fromkeys(SEVERITIES, 0)
        fields: dict[str, FieldView] = {}
        for result in checked.report.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
            group = fields.get(result.path)
            if group is None:
                group = fields[result.path] = FieldView(
                    result.path, field_words(result.path, lang) if result.path else ""
                )
            group.results.append(_result_view(result, checked.record.iri, reader))
        ordered = sorted(
            fields.values(),
            key=lambda f: (min(_rank(r.severity) for r in f.results), f.label.casefold(), f.name),
        )
        for group in ordered:
            group.results.sort(key=lambda r: _rank(r.severity))
        title, title_lang = record_title(checked, lang)
        views.append(
            RecordView(checked.record.iri, title, title_lang, checked.record.kind, counts, ordered)
        )
    # violations first, then warnings, then clean records; the document's order otherwise
    views.sort(key=lambda v: (v.counts["Violation"] == 0, v.counts["Warning"] == 0))
    for view in views:
        view.open = len(views) == 1 or (len(views) <= OPEN_RECORDS and not view.conforms)
    return views


def _result_view(result: ValidationResult, dataset: str, reader: Reader) -> ResultView:
    focus = result.focus_node
    shown_focus = focus if focus and focus != dataset and not focus.startswith("_:") else ""
    return ResultView(
        result.severity,
        with_code(result.message),
        with_code(result.hint),
        result.value,
        shown_focus,
        where_words(result.location, reader) if result.location is not None else "",
    )


def where_words(location: SourceLocation, reader: Reader) -> str:
    """Where a result's field was written, in the reader's words: ``sheet datasets, row 5,
    column Z (number_of_exomes)`` in a spreadsheet, ``line 12`` in a text."""
    n = functools.partial(format_number, lang=reader.lang)
    if location.sheet is None:
        if location.line is None:
            return ""
        return reader.gettext("line %(line)s") % {"line": n(location.line)}
    place = {
        "sheet": location.sheet,
        "row": n(location.line or 0),
        "column": column_letter(location.column or 1),
        "field": location.field or "",
    }
    if location.sheet:
        return reader.gettext("sheet %(sheet)s, row %(row)s, column %(column)s (%(field)s)") % place
    return reader.gettext("row %(row)s, column %(column)s (%(field)s)") % place


# --- downloads -----------------------------------------------------------------------------


def report_json(outcome: Outcome, submission: Submission, lang: str) -> dict[str, Any]:
    """The report as JSON: the summary, and each record with its results."""
    report = outcome.report()
    counts = report.counts()
    return {
        "profile": outcome.profile,
        "document": submission.name,
        "format": submission.fmt.name,
        "conforms": report.conforms,
        "summary": {
            "records": len(outcome.checked),
            "conforming": sum(1 for c in outcome.checked if c.conforms),
            "violations": counts["Violation"],
            "warnings": counts["Warning"],
            "infos": counts["Info"],
        },
        "records": [
            {
                "dataset": c.record.iri if c.record.kind != "Document" else "",
                "title": record_title(c, lang)[0],
                "kind": c.record.kind,
                "conforms": c.conforms,
                "results": [r.to_dict() for r in c.report.results],
            }
            for c in outcome.checked
        ],
    }


def report_csv(outcome: Outcome, lang: str) -> str:
    """One row per result: record, title, field, severity, message, hint, value, focus node."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for checked in outcome.checked:
        title = record_title(checked, lang)[0]
        record = checked.record.iri if checked.record.kind != "Document" else ""
        for r in checked.report.results:
            writer.writerow(
                [
                    _cell(record),
                    _cell(title),
                    _cell(r.path),
                    r.severity,
                    _cell(r.message),
                    _cell(r.hint),
                    _cell(r.value or ""),
                    _cell(r.focus_node),
                    _cell(str(r.location) if r.location is not None else ""),
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet does not run as a formula (a value may start with ``=``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def download_response(outcome: Outcome, submission: Submission, lang: str) -> Response:
    key, _, media_type, extension = next(d for d in DOWNLOADS if d[0] == submission.download)
    if key == "json":
        body = json.dumps(report_json(outcome, submission, lang), indent=2, ensure_ascii=False)
    elif key == "turtle":
        body = outcome.report().to_turtle()
    else:
        body = report_csv(outcome, lang)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePath(submission.name).stem).strip("-.")
    filename = f"{stem or 'document'}-{outcome.profile}-report.{extension}"
    return Response(
        body,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormState:
    """What the form shows: the choices made, to keep them across a report."""

    profile: str
    level: str = ""
    format: str = "auto"
    download: str = ""
    text: str = ""


def _format_choices() -> list[tuple[str, str]]:
    return [(f.name, f.label) for f in FORMATS]


def _page(
    request: Request,
    settings: Settings,
    reader: Reader,
    state: FormState,
    *,
    status: int = 200,
    problem: str = "",
    problem_detail: str = "",
    location: str = "",
    outcome: Outcome | None = None,
    submission: Submission | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "section": "validate",
        "profiles": PROFILE_CHOICES,
        "level_words": LEVEL_WORDS,
        "formats": _format_choices(),
        "downloads": DOWNLOADS,
        "state": state,
        "problem": problem,
        "problem_detail": problem_detail,
        "location": location,
        "report": None,
        "action": str(request.base_url)
        + "validate"
        + (f"?lang={reader.lang}" if reader.chosen else ""),
        "max_size": readable_size(settings.max_document_bytes, reader.lang),
    }
    if outcome is not None and submission is not None:
        records = record_views(outcome, reader)
        report = outcome.report()
        counts = report.counts()
        embedded = (
            base64.urlsafe_b64encode(submission.data).decode("ascii")
            if len(submission.data) <= EMBEDDED_BYTES
            else None
        )
        context["report"] = {
            "records": records,
            "profile": outcome.profile,
            "profile_title": _profile_label(state, reader),
            "document": submission.name,
            "format": submission.fmt,
            "counts": counts,
            "conforming": sum(1 for r in records if r.conforms),
            "conforms": report.conforms,
            "embedded": embedded,
            "severity_words": SEVERITY_WORDS,
        }
    return HTMLResponse(render(request, "validate.html", **context), status_code=status)


def _profile_label(state: FormState, reader: Reader) -> str:
    choice = _CHOICES_BY_NAME[state.profile]
    label = reader.gettext(choice.title)
    if state.level and choice.levels:
        label += " (" + reader.gettext(LEVEL_NAMES[state.level]) + ")"
    return label


def _location_words(error: InputError, reader: Reader) -> str:
    location = error.location
    if location is None or location.line is None:
        return ""
    if location.column is None:
        return reader.gettext("Line %(line)s") % {"line": format_number(location.line, reader.lang)}
    return reader.gettext("Line %(line)s, column %(column)s") % {
        "line": format_number(location.line, reader.lang),
        "column": format_number(location.column, reader.lang),
    }


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/validate`` (the form, and the report it posts to) to ``app``."""
    settings = ctx.settings
    offer_page(app, "validate")

    @app.get("/validate", include_in_schema=False, response_class=HTMLResponse)
    def validate_form(request: Request) -> HTMLResponse:
        return _page(request, settings, reader_of(request), FormState(settings.default_profile))

    # A public form that changes nothing (nothing is stored, no session is read), so it needs
    # no cross-site request forgery token: a forged post only makes the victim's browser
    # validate a document and show the report to the victim, not to the forger (who cannot
    # read the cross-origin answer).
    @app.post("/validate", include_in_schema=False, response_model=None)
    async def validate_post(request: Request) -> Response:
        reader = reader_of(request)
        state = FormState(settings.default_profile)
        try:
            submission = await submission_of(request, settings)
        except PayloadTooLargeError:
            return _too_large(request, reader, state, settings)
        except FormProblem as e:
            return _page(
                request,
                settings,
                reader,
                state,
                status=e.status,
                problem=reader.gettext(e.message),
                problem_detail=e.detail,
            )
        state = FormState(
            submission.profile,
            submission.level,
            "auto" if submission.name != PASTED else submission.fmt.name,
            submission.download,
            submission.text,
        )
        try:
            outcome = await run_in_threadpool(validate_submission, submission, settings)
        except PayloadTooLargeError:
            return _too_large(request, reader, state, settings)
        except InputError as e:
            return _page(
                request,
                settings,
                reader,
                state,
                status=400,
                problem=reader.gettext("The document cannot be read as %(format)s.")
                % {"format": submission.fmt.label},
                problem_detail=e.message,
                location=_location_words(e, reader),
            )
        if submission.download:
            return download_response(outcome, submission, reader.lang)
        return _page(request, settings, reader, state, outcome=outcome, submission=submission)


def _too_large(
    request: Request, reader: Reader, state: FormState, settings: Settings
) -> HTMLResponse:
    return _page(
        request,
        settings,
        reader,
        state,
        status=413,
        problem=reader.gettext(
            "The document is larger than the %(size)s this catalogue validates. Split it into "
            "smaller files, or validate it with the command line (gdcat validate)."
        )
        % {"size": readable_size(settings.max_document_bytes, reader.lang)},
    )


__all__ = ["PROFILE_CHOICES", "guess_format", "install", "profile_for"]
