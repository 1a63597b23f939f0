"""The search page for people: ``/search`` (HTML) and ``/search.csv`` (the result set).

The URL is the state: the page reads the query parameters of ``/api/datasets``
(:class:`~gdcat.search.parameters.DatasetQueryBase`), asks the same
:class:`~gdcat.search.Searcher` the REST API asks, and writes every link (a facet value, a
chip that removes one, a page, a sort order, the downloads) as a URL of that state. It works
without JavaScript; with it, the vendored htmx swaps the page's body in place and pushes the
URL (``hx-boost``), which is only quicker.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, get_origin
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from gdcat.search import (
    FACETS_BY_NAME,
    MAX_RESULT_WINDOW,
    Hit,
    IndexBuildingError,
    Searcher,
    SearchIndex,
    SearchRequest,
    SearchResult,
)
from gdcat.search.documents import pick_text
from gdcat.search.duo import TERMS_BY_IRI
from gdcat.search.parameters import DatasetQueryBase
from gdcat.search.terms import DUO_SCHEME
from gdcat.settings import Settings
from gdcat.store import CountedInventory, Store
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.pages import country_name, reader_of, render


class Context(Protocol):
    """What the search page reads (the API's application context has it)."""

    settings: Settings
    store: Store
    index: SearchIndex | None
    #: The 1+MG inventory, counted once per store generation (shared with the API).
    inventory: CountedInventory


#: The facets' headings, in the order the page shows them.
FACET_TITLES: dict[str, str] = {
    "country": N_("Country"),
    "sequencing_type": N_("Sequencing type"),
    "data_use": N_("Data use"),
    "access_rights": N_("Access rights"),
    "disease": N_("Disease"),
    "phenotype": N_("Phenotype"),
    "health_category": N_("Health category"),
    "reference_genome": N_("Reference genome"),
    "publisher": N_("Publisher"),
    "node": N_("National node"),
}
if set(FACET_TITLES) != set(FACETS_BY_NAME):  # a new facet needs its heading
    raise RuntimeError("FACET_TITLES and FACETS name different facets")

SORT_LABELS: dict[str, str] = {
    "relevance": N_("Relevance"),
    "title": N_("Title, A to Z"),
    "-title": N_("Title, Z to A"),
    "-modified": N_("Newest first"),
    "modified": N_("Oldest first"),
    "-individuals": N_("Most individuals first"),
    "individuals": N_("Fewest individuals first"),
}

#: DUO terms in plain words, by shorthand (the published labels are terse and technical).
DATA_USE_WORDS: dict[str, str] = {
    "NRES": N_("No restriction on use"),
    "GRU": N_("Any research use"),
    "HMB": N_("Health, medical or biomedical research"),
    "DS": N_("Research on the named diseases only"),
    "POA": N_("Research on population origins or ancestry only"),
    "RS": N_("Only the kinds of research the data holder names"),
    "NMDS": N_("No methods development outside the permitted research"),
    "GSO": N_("Genetic studies only"),
    "NPUNCU": N_("Not-for-profit organisations and non-commercial use only"),
    "PUB": N_("Results must be published"),
    "COL": N_("Collaboration with the data holder required"),
    "IRB": N_("Ethics approval required"),
    "GS": N_("Use limited to certain places"),
    "MOR": N_("No publication before a set date"),
    "TS": N_("Use limited in time"),
    "US": N_("Approved users only"),
    "PS": N_("Approved projects only"),
    "IS": N_("Approved institutions only"),
    "RTN": N_("Results or derived data must be returned"),
    "CC": N_("Clinical care use permitted"),
    "NPOA": N_("No research on population origins or ancestry"),
    "NPU": N_("Not-for-profit organisations only"),
    "NCU": N_("Non-commercial use only"),
}
ACCESS_WORDS: dict[str, str] = {
    "PUBLIC": N_("Public"),
    "RESTRICTED": N_("Restricted"),
    "NON_PUBLIC": N_("Not public"),
}
KIND_WORDS: dict[str, str] = {"dataset": N_("Dataset"), "series": N_("Dataset series")}
#: gdcat's sequencing types in words (its vocabulary labels them in English only).
SEQUENCING_TYPE_WORDS: dict[str, str] = {
    "WGS": N_("Whole genome sequencing (WGS)"),
    "WES": N_("Exome sequencing (WES)"),
    "PANEL": N_("Gene panel sequencing"),
    "ARRAY": N_("Genotyping array"),
    "RNASEQ": N_("RNA sequencing (RNA-seq)"),
    "LONGREAD": N_("Long-read genome sequencing"),
}

#: Columns of the CSV download.
CSV_COLUMNS = (
    "title",
    "type",
    "country",
    "sequencing_types",
    "individuals",
    "genomes",
    "access_rights",
    "data_use",
    "publishers",
    "node",
    "modified",
    "iri",
    "page",
)
#: Hits read per search while writing the CSV download.
_CSV_BATCH = 500
#: A cell starting with one of these is read as a formula by spreadsheets: quoted with ``'``.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def query_items(request: Request, model: type[BaseModel]) -> dict[str, Any]:
    """The query string as ``model``'s input: repeated parameters as lists, empty values
    (an empty text box) left out."""
    out: dict[str, Any] = {}
    params = request.query_params
    for name in params:
        values = [v for v in params.getlist(name) if v != ""]
        if not values:
            continue
        field = model.model_fields.get(name)
        many = field is not None and get_origin(field.annotation) is list
        out[name] = values if many else values[-1]
    return out


def parse(request: Request, model: type[DatasetQueryBase]) -> DatasetQueryBase:
    """The search the URL asks for; an invalid one is a 422 problem naming each parameter."""
    try:
        return model.model_validate(query_items(request, model))
    except ValidationError as e:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in e.errors()]
        ) from e


def search_request(
    params: DatasetQueryBase, language: str, page_size: int, *, facets: bool = True
) -> SearchRequest:
    """The :class:`SearchRequest` of these parameters (as ``/api/datasets`` makes it)."""
    return SearchRequest(
        text=params.q or None,
        filters=params.filters(),
        kinds=tuple(params.type) or ("dataset", "series"),
        outcomes=tuple(params.outcome),
        purpose=params.to_purpose([]),
        sort=params.sort,
        page=params.page,
        page_size=page_size,
        facets=(tuple(dict.fromkeys(params.facet)) or tuple(FACET_TITLES)) if facets else (),
        facet_size=params.facet_size,
        language=language,
    )


# -- URLs of states ------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """The query parameters of a search page, in order, without the page number."""

    items: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, request: Request) -> State:
        return cls(
            tuple((k, v) for k, v in request.query_params.multi_items() if k != "page" and v)
        )

    def query(self, **extra: str | int) -> str:
        pairs = list(self.items) + [(k, str(v)) for k, v in extra.items()]
        return urlencode(pairs)

    def without(self, name: str, value: str | None = None) -> State:
        """This state without parameter ``name`` (or only its ``value``, compared as the
        index writes values)."""
        spec = FACETS_BY_NAME.get(name)

        def same(v: str) -> bool:
            if value is None:
                return True
            if spec is None:
                return v == value
            try:
                return spec.scheme.canonical(v) == value
            except ValueError:
                return False

        return State(tuple((k, v) for k, v in self.items if not (k == name and same(v))))

    def with_(self, name: str, value: str) -> State:
        return State((*self.items, (name, value)))


# -- the page ------------------------------------------------------------------------------


def _labeller(found: Searcher, reader: Reader) -> Callable[[str, str], str]:
    def label(facet: str, value: str) -> str:
        if facet == "data_use":
            term = TERMS_BY_IRI.get(DUO_SCHEME.iri(value))
            if term is not None and term.shorthand in DATA_USE_WORDS:
                return reader.gettext(DATA_USE_WORDS[term.shorthand])
        if facet == "access_rights" and value in ACCESS_WORDS:
            return reader.gettext(ACCESS_WORDS[value])
        if facet == "country":
            return country_name(value, reader.lang)
        if facet == "sequencing_type" and value in SEQUENCING_TYPE_WORDS:
            return reader.gettext(SEQUENCING_TYPE_WORDS[value])
        return found.label(FACETS_BY_NAME[facet], value) or value

    return label


def _hit_view(
    hit: Hit, label: Callable[[str, str], str], reader: Reader, language: str, home: str
) -> dict[str, Any]:
    p = hit.payload
    titles = p.get("titles", [])
    title_lang = next((lang for text, lang in titles if text == hit.title), None)
    permission = p.get("permission")
    conditions = [DUO_SCHEME.value(m) for m in p.get("modifiers", [])]
    keep = f"?lang={reader.lang}" if reader.chosen else ""
    return {
        "key": p["key"],
        "title": hit.title or p["iri"],
        "title_lang": title_lang or None,
        "kind": reader.gettext(KIND_WORDS.get(p["kind"], p["kind"])),
        "url": f"{home}dataset/{p['key']}{keep}",
        "snippet": hit.snippet,
        "country": label("country", p["country"]) if p.get("country") else None,
        "sequencing_types": [label("sequencing_type", v) for v in p.get("sequencing_types", [])],
        "individuals": p.get("individuals"),
        "genomes": p.get("genomes"),
        "access_rights": [label("access_rights", v) for v in p.get("access_rights", [])],
        "permission": label("data_use", permission)
        if permission and permission != "none"
        else None,
        "conditions": [label("data_use", c) for c in conditions],
        "publishers": _publisher_names(p, language),
    }


#: Values a facet lists at first, and when the reader asks for all of them.
FACET_SIZE = 20
ALL_FACET_VALUES = 200


def _facet_views(
    result: SearchResult,
    state: State,
    label: Callable[[str, str], str],
    path: str,
    facet_size: int = FACET_SIZE,
) -> list[dict[str, Any]]:
    by_name = {f.name: f for f in result.facets}
    fewer = state.without("facet_size")
    everything = fewer.with_("facet_size", str(ALL_FACET_VALUES))
    views = []
    for name in FACET_TITLES:
        facet = by_name.get(name)
        if facet is None:
            continue
        buckets = []
        for bucket in facet.buckets:
            after = state.without(name, bucket.value) if bucket.selected else state
            if not bucket.selected:
                after = after.with_(name, bucket.value)
            buckets.append(
                {
                    "label": label(name, bucket.value),
                    "count": bucket.count,
                    "selected": bucket.selected,
                    "url": f"{path}?{after.query()}",
                }
            )
        views.append(
            {
                "name": name,
                "title": FACET_TITLES[name],
                "buckets": buckets,
                # the values beyond those listed, one click away (and back)
                "more_url": f"{path}?{everything.query()}#facet-{name}"
                if facet.other > 0 and facet_size < ALL_FACET_VALUES
                else None,
                "fewer_url": f"{path}?{fewer.query()}#facet-{name}"
                if facet_size > FACET_SIZE and len(buckets) > FACET_SIZE
                else None,
            }
        )
    return views


def _chips(
    params: DatasetQueryBase, state: State, label: Callable[[str, str], str], path: str
) -> list[dict[str, str]]:
    chips = []
    for name, values in params.filters().items():
        for value in values:
            chips.append(
                {
                    "facet": FACET_TITLES[name],
                    "label": label(name, value),
                    "url": f"{path}?{state.without(name, value).query()}",
                }
            )
    return chips


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/search`` and ``/search.csv`` to ``app``."""
    settings = ctx.settings

    class PageQuery(DatasetQueryBase):
        page_size: int = Field(settings.page_size, ge=1, le=settings.max_page_size)

    searchers: dict[int, Searcher] = {}

    def searcher() -> Searcher:
        index = ctx.index
        if not isinstance(index, SearchIndex):
            raise HTTPException(503, "the search index is off: search is not available")
        key = id(index)
        if key not in searchers:
            searchers.clear()
            searchers[key] = Searcher(index)
        return searchers[key]

    def language_of(request: Request, reader: Reader) -> str:
        return request.query_params.get("lang") or reader.lang

    @app.get("/search", include_in_schema=False, response_class=HTMLResponse)
    def search_page(request: Request) -> HTMLResponse:
        params = parse(request, PageQuery)
        assert isinstance(params, PageQuery)
        reader = reader_of(request)
        language = language_of(request, reader)
        found = searcher()
        try:
            result = found.search(search_request(params, language, params.page_size))
        except IndexBuildingError as e:
            return _building(request, e, ctx.index)
        home = str(request.base_url)
        path = f"{home}search"
        state = State.of(request)
        label = _labeller(found, reader)
        pages = max(1, -(-result.total // params.page_size))
        last = min(pages, max(1, MAX_RESULT_WINDOW // params.page_size))
        body = render(
            request,
            "search.html",
            section="search",
            q=params.q,
            sort=result.sort,
            sorts=[(name, SORT_LABELS[name]) for name in SORT_LABELS],
            total=result.total,
            page=params.page,
            pages=pages,
            first_index=(params.page - 1) * params.page_size + 1,
            hits=[_hit_view(h, label, reader, language, home) for h in result.hits],
            facets=_facet_views(result, state, label, path, params.facet_size),
            chips=_chips(params, state, label, path),
            hidden=[(k, v) for k, v in state.items if k not in ("q", "sort")],
            clear_url=f"{path}?{state.without('q').query()}" if params.q else None,
            reset_url=f"{path}?{State(tuple(i for i in state.items if i[0] == 'lang')).query()}",
            prev_url=f"{path}?{state.query(page=params.page - 1)}"
            if 1 < params.page <= pages
            else None,
            next_url=f"{path}?{state.query(page=params.page + 1)}" if params.page < last else None,
            csv_url=f"{home}search.csv?{state.without('lang').query()}",
            json_url=f"{home}api/datasets?{state.query(page=params.page)}",
            warnings=result.warnings,
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})

    @app.get("/search.csv", include_in_schema=False, response_class=Response)
    def search_csv(request: Request) -> StreamingResponse:
        params = parse(request, PageQuery)
        reader = reader_of(request)
        language = language_of(request, reader)
        found = searcher()
        home = str(request.base_url)
        first = found.search(search_request(params.model_copy(update={"page": 1}), language, 1))

        def rows() -> Iterator[str]:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            page = 1
            written = 0
            # the first MAX_RESULT_WINDOW hits, as far as paging reaches
            while written < min(first.total, MAX_RESULT_WINDOW):
                batch = params.model_copy(update={"page": page})
                result = found.search(search_request(batch, language, _CSV_BATCH, facets=False))
                if not result.hits:
                    break
                for hit in result.hits:
                    writer.writerow(_csv_row(hit, language, home))
                    written += 1
                yield out.getvalue()
                out.seek(0)
                out.truncate()
                page += 1
            yield out.getvalue()

        return StreamingResponse(
            rows(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="gdcat-datasets.csv"',
                "X-Total-Count": str(first.total),
            },
        )


def _csv_row(hit: Hit, language: str, home: str) -> list[str]:
    p = hit.payload
    values: Sequence[Any] = (
        hit.title or p["iri"],
        p["kind"],
        p.get("country") or "",
        " ".join(p.get("sequencing_types", [])),
        "" if p.get("individuals") is None else p["individuals"],
        "" if p.get("genomes") is None else p["genomes"],
        " ".join(p.get("access_rights", [])),
        " ".join(_data_use_codes(p)),
        "; ".join(_publisher_names(p, language)),
        p.get("node") or "",
        p.get("modified") or "",
        p["iri"],
        f"{home}dataset/{p['key']}",
    )
    return [_cell(v) for v in values]


def _publisher_names(payload: dict[str, Any], language: str) -> list[str]:
    return [
        pick_text(pub.get("names", []), language) or pub["id"]
        for pub in payload.get("publishers", [])
    ]


def _data_use_codes(payload: dict[str, Any]) -> list[str]:
    codes = []
    for iri in (*payload.get("permissions", []), *payload.get("modifiers", [])):
        term = TERMS_BY_IRI.get(iri)
        codes.append(term.shorthand if term is not None else DUO_SCHEME.value(iri))
    return codes


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _building(
    request: Request, error: IndexBuildingError, index: SearchIndex | None
) -> HTMLResponse:
    """The search page while the search index is being built: 503, with when to try again."""
    state = index.health() if index is not None else None
    body = render(
        request,
        "search_building.html",
        section="search",
        progress=state.progress if state is not None else None,
        again_url=str(request.url),
    )
    retry = str(max(1, math.ceil(error.retry_after)))
    return HTMLResponse(
        body, status_code=503, headers={"Vary": "Accept-Language", "Retry-After": retry}
    )
