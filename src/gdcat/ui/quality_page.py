"""A node's metadata quality, for its stewards and everyone: ``/nodes/{id}/quality``.

The node's score and its records' scores (the share of the weight of their mandatory and
recommended fields that are present and valid, :mod:`gdcat.validate.quality`), what to fix
first, why harvested records were rejected, and the validation outcomes of its harvests and
publishing over time as a chart and a table. The figures are those of
``/api/nodes/{id}/quality``: both read :func:`gdcat.harvest.quality.qualities_of`.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from gdcat.harvest.quality import TimelinePoint, node_known, qualities_of
from gdcat.harvest.registry import load_registry
from gdcat.store.records import record_iri
from gdcat.ui.charts import Bar, Category, stacked_bar_chart
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.inventory_page import chart_text
from gdcat.ui.labels import readable_day, readable_decimal, readable_utc
from gdcat.ui.pages import field_words, format_number, offer_page, reader_of, render
from gdcat.ui.search_page import Context
from gdcat.validate.quality import DIMENSION_ORDER, WEIGHTS

#: Records listed on the page, lowest score first (the CSV holds them all).
LISTED = 50
_NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

DIMENSION_WORDS: dict[str, str] = {
    "findability": N_("Findability"),
    "accessibility": N_("Accessibility"),
    "interoperability": N_("Interoperability"),
    "reusability": N_("Reusability"),
    "contextuality": N_("Contextuality"),
}
LEVEL_WORDS: dict[str, str] = {
    "mandatory": N_("mandatory"),
    "recommended": N_("recommended"),
}
STATE_WORDS: dict[str, str] = {
    "missing": N_("missing"),
    "invalid": N_("invalid"),
}
OUTCOME_WORDS: dict[str, str] = {
    "conforms": N_("conforms"),
    "warnings": N_("with warnings"),
    "violations": N_("accepted with violations"),
}


def _percent(value: float | None, reader: Reader) -> str:
    if value is None:
        return "–"
    return f"{readable_decimal(value, reader.lang)}\u00a0%"


def _event_label(point: TimelinePoint, reader: Reader) -> str:
    """A bar's label: short enough not to be cut."""
    if point.kind == "harvest":
        when = readable_utc(point.when, reader.lang, short=True)
        return reader.gettext(N_("Harvest %(when)s")) % {"when": when}
    day = readable_day(point.key, reader.lang)
    return reader.gettext(N_("Publishing %(day)s")) % {"day": day}


def _event_words(point: TimelinePoint, reader: Reader) -> str:
    if point.kind == "harvest":
        when = readable_utc(point.when, reader.lang)
        return reader.gettext(N_("Harvest of %(when)s")) % {"when": when}
    day = readable_day(point.key, reader.lang)
    return reader.gettext(N_("Publishing on %(day)s")) % {"day": day}


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/nodes/{id}/quality`` to ``app`` (the answers are kept in the application
    context's ``extras``, shared with the API)."""
    offer_page(app, "quality")

    @app.get("/nodes/{node_id}/quality", include_in_schema=False, response_class=HTMLResponse)
    def quality_page(request: Request, node_id: str) -> HTMLResponse:
        reader = reader_of(request)
        home = str(request.base_url)
        keep = f"?lang={reader.lang}" if reader.chosen else ""
        path = ctx.settings.registry_file
        registry = load_registry(path) if path is not None else []
        # any other id is simply unknown; known nodes without counting every node's records
        if not _NODE_ID.match(node_id) or not node_known(ctx.store, registry, node_id):
            raise HTTPException(404, f"no node {node_id!r}")
        node_name = next((n.name for n in registry if n.id == node_id and n.name), node_id)
        quality = qualities_of(ctx).get(node_id)
        base = ctx.store.base_iri

        def page_of(dataset: str) -> str:
            return f"{home}dataset/{record_iri(base, dataset).rsplit('/', 1)[-1]}{keep}"

        def number(value: float) -> str:
            if value == int(value):
                return format_number(int(value), reader.lang)
            text = f"{value:g}"
            return text.replace(".", ",") if reader.lang in ("de", "fr", "nl") else text

        categories = [
            Category("conforms", reader.gettext(N_("Conforms"))),
            Category("warnings", reader.gettext(N_("With warnings"))),
            Category("rejected", reader.gettext(N_("Rejected"))),
        ]
        events = [
            {
                "words": _event_words(p, reader),
                "url": f"{home}run/{p.key}{keep}" if p.kind == "harvest" else None,
                "conforms": p.conforms,
                "warnings": p.warnings,
                "rejected": p.rejected,
            }
            for p in quality.timeline
        ]
        chart = stacked_bar_chart(
            [
                Bar(
                    _event_label(p, reader),
                    {"conforms": p.conforms, "warnings": p.warnings, "rejected": p.rejected},
                )
                for p in quality.timeline
            ],
            categories,
            chart_id="quality-timeline",
            title=reader.gettext(N_("Validation outcomes of harvests and publishing")),
            description=reader.gettext(
                N_(
                    "One bar per harvest run or day of publishing, oldest first: records that "
                    "conform, that have warnings, that were rejected; the table below gives "
                    "every figure."
                )
            ),
            number=number,
            text=chart_text(reader),
        )
        body = render(
            request,
            "quality.html",
            section="nodes",
            node={"id": node_id, "name": node_name},
            node_url=f"{home}nodes/{node_id}{keep}",
            score=_percent(quality.mean, reader),
            scored=len(quality.records),
            rejected_records=quality.rejected_records,
            weights=WEIGHTS,
            dimensions=[
                (DIMENSION_WORDS[name], _percent(quality.dimensions[name], reader))
                for name in DIMENSION_ORDER
                if name in quality.dimensions
            ],
            fix_first=[
                {
                    "field": field_words(p.field, reader.lang),
                    "path": p.field,
                    "level": reader.gettext(LEVEL_WORDS[p.level]),
                    "weight": p.weight,
                    "records": p.records,
                    "missing": p.missing,
                    "invalid": p.invalid,
                    "hint": p.hint,
                    "examples": [
                        {
                            "title": e.title or e.dataset,
                            "url": page_of(e.dataset),
                            "message": e.message,
                        }
                        for e in p.examples
                    ],
                }
                for p in quality.fix_first
            ],
            rejected=[
                {
                    "field": field_words(r.field, reader.lang)
                    or reader.gettext(N_("(the record)")),
                    "records": r.records,
                    "examples": [{"dataset": d, "message": m} for d, m in r.examples],
                }
                for r in quality.rejected
            ],
            events=events,
            chart=chart,
            records=[
                {
                    "title": s.title or s.dataset,
                    "url": page_of(s.dataset),
                    "score": _percent(s.score, reader),
                    "outcome": reader.gettext(OUTCOME_WORDS[s.outcome])
                    if s.outcome in OUTCOME_WORDS
                    else s.outcome,
                    "problems": [
                        {
                            "field": field_words(p.field, reader.lang),
                            "state": reader.gettext(STATE_WORDS.get(p.state, p.state)),
                        }
                        for p in s.problems
                    ],
                }
                for s in quality.records[:LISTED]
            ],
            listed=min(LISTED, len(quality.records)),
            json_url=f"{home}api/nodes/{node_id}/quality",
            csv_url=f"{home}api/nodes/{node_id}/quality.csv",
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})
