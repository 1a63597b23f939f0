"""The page "Can I use these data for my study?": ``/data-use``.

A researcher states the study's purpose in a GET form built from DUO — the kind of research
(general, health/medical/biomedical, disease-specific, population origins or ancestry), the
diseases of a disease-specific study, commercial or not, for-profit or not, methods
development, phenotype research alone, clinical care — and the page lists the datasets whose
data-use conditions permit it, each with its verdict and the conditions still to meet, and
adds up what matches as one cohort: individuals and genomes by country and by sequencing type,
as charts and as tables.

One query path: the form's fields are the purpose parameters of ``/api/datasets``
(:class:`~gdcat.search.parameters.PurposeParameters`, with the search's other parameters kept
as they come), read by the same model and answered by the same
:class:`~gdcat.search.Searcher` — so the page's URL, with ``/api/datasets`` for its path, is
the same answer as JSON. The URL is the state: every result can be bookmarked.

The disease picker: a text field (``disease_q``) looked up in the shipped ORDO and MONDO
slices (the vocabularies a dataset's ``gdcat:disease`` names; HPO terms are phenotypes, which
DUO's disease-specific permission does not name). Without JavaScript, submitting the form
lists the matching terms as check boxes; with htmx, the list follows the typing, fetched from
``/data-use/diseases`` (an HTML fragment of the same list). Either way the researcher ticks the
diseases meant (``purpose_disease``), which makes the study disease-specific.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import Field

from gdcat.search import (
    FACETS_BY_NAME,
    MAX_RESULT_WINDOW,
    Cohort,
    CohortRow,
    Hit,
    Purpose,
    Searcher,
    SearchIndex,
    Vocabulary,
)
from gdcat.search.duo import TERMS_BY_IRI, Category, Condition
from gdcat.search.parameters import DatasetQueryBase, PurposeParameters
from gdcat.search.terms import DISEASE_SCHEME, DUO_SCHEME
from gdcat.ui.charts import Bar, ChartText, grouped_bar_chart
from gdcat.ui.charts import Category as Measure
from gdcat.ui.i18n import N_, Reader, translations
from gdcat.ui.pages import country_name, format_number, offer_page, reader_of, render
from gdcat.ui.search_page import (
    ACCESS_WORDS,
    DATA_USE_WORDS,
    KIND_WORDS,
    SEQUENCING_TYPE_WORDS,
    Context,
    State,
    parse,
    search_request,
)

#: The kinds of research the form offers: (value of ``purpose``, label, help text). The empty
#: value states no kind: only the conditions of use are checked.
KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "GRU",
        N_("General research"),
        N_("Any research purpose, whether about health or not (DUO: general research use)."),
    ),
    (
        "HMB",
        N_("Health, medical or biomedical research"),
        N_("Research on health or disease in general, not limited to named diseases."),
    ),
    (
        "DS",
        N_("Research on specific diseases"),
        N_("Name the diseases below: datasets for them, or for broader diseases, permit it."),
    ),
    (
        "POA",
        N_("Population origins or ancestry research"),
        N_("Studies of population history, migration or genetic ancestry."),
    ),
    (
        "",
        N_("Not stated"),
        N_("Check only the conditions of use below (commercial use, methods development…)."),
    ),
)
_KIND_LABELS = {value: label for value, label, _ in KINDS}

#: The yes/no questions of the form: (parameter, question, answer for no, answer for yes).
QUESTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "commercial",
        N_("Is the use commercial?"),
        N_("No: non-commercial use"),
        N_("Yes: commercial use (a product, a paid service)"),
    ),
    (
        "for_profit",
        N_("Is your organisation for-profit?"),
        N_("No: a not-for-profit organisation (a university, a public hospital)"),
        N_("Yes: a for-profit organisation (a company)"),
    ),
)
#: Further facts of the study that a dataset's conditions may exclude: (parameter, label).
FLAGS: tuple[tuple[str, str], ...] = (
    ("methods", N_("The study develops methods or software (new analysis tools, algorithms)")),
    ("phenotype_only", N_("The study uses phenotypes alone, without genetic analysis")),
    ("clinical_care", N_("The data will be used in clinical care, not for research")),
)
#: How the purpose summary names each stated fact.
FLAG_WORDS: dict[str, str] = {
    "commercial": N_("commercial use"),
    "for_profit": N_("by a for-profit organisation"),
    "methods": N_("methods development"),
    "phenotype_only": N_("phenotype research alone"),
    "clinical_care": N_("clinical care"),
}

#: A dataset's DUO modifiers as what the researcher must do, by shorthand.
CONDITION_WORDS: dict[str, str] = {
    "RS": N_("Keep to the kinds of research the data holder names"),
    "NMDS": N_("Develop no methods outside the permitted research"),
    "GSO": N_("Use the data for genetic studies only"),
    "NPUNCU": N_("Use the data only non-commercially, in a not-for-profit organisation"),
    "PUB": N_("Publish the results"),
    "COL": N_("Collaborate with the data holder"),
    "IRB": N_("Obtain ethics approval for the study"),
    "GS": N_("Use the data only in the places the data holder allows"),
    "MOR": N_("Publish nothing before the data holder's moratorium ends"),
    "TS": N_("Use the data only for the time the data holder allows"),
    "US": N_("Be one of the users the data holder approves"),
    "PS": N_("Use the data only in a project the data holder approves"),
    "IS": N_("Work at an institution the data holder approves"),
    "RTN": N_("Return results or derived data to the data holder"),
    "NPOA": N_("Do no research on population origins or ancestry"),
    "NPU": N_("Use the data only in a not-for-profit organisation"),
    "NCU": N_("Use the data only non-commercially"),
}
UNKNOWN_CONDITION = N_("A condition gdcat does not know: ask the data holder")

#: What each sequencing type produces, in words (the cohort's ``unit``).
UNIT_WORDS: dict[str, str] = {
    "genomes": N_("genomes"),
    "exomes": N_("exomes"),
    "samples": N_("samples"),
}

#: Most diseases the picker lists for one text.
MAX_CHOICES = 25
#: Most values of the ``data_use`` facet read for the conditions' summary.
_CONDITIONS_FACET_SIZE = 100
_CC = TERMS_BY_IRI[DUO_SCHEME.iri("DUO:0000043")]
_WORD = re.compile(r"\w+")


# -- the disease picker -------------------------------------------------------------------


@dataclass(frozen=True)
class DiseaseChoice:
    """A disease the picker offers: its code (``ORPHA:558``), label and whether it is chosen."""

    value: str
    label: str
    chosen: bool


def _folded(text: str) -> str:
    """``text`` without case or accents, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, eq=False)
class DiseasePicker:
    """The diseases a researcher can pick: every disease of the shipped ORDO and MONDO slices
    (the vocabularies of ``gdcat:disease``), looked up by name or code."""

    vocabulary: Vocabulary
    #: (code, label, label without case or accents), by label
    terms: tuple[tuple[str, str, str], ...]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> DiseasePicker:
        namespaces = tuple(namespace for _, namespace in DISEASE_SCHEME.namespaces)
        found = []
        for iri, label in vocabulary.labels.items():
            if iri.startswith(namespaces):
                code = DISEASE_SCHEME.value(iri)
                if code != iri:
                    found.append((code, label, _folded(label)))
        return cls(vocabulary, tuple(sorted(found, key=lambda t: (t[2], t[0]))))

    def find(self, text: str, limit: int = MAX_CHOICES) -> list[tuple[str, str]]:
        """The diseases whose label holds every word of ``text`` (case and accents ignored)
        or whose code is ``text``: (code, label), names starting with the text first."""
        wanted = _folded(text).strip()
        words = _WORD.findall(wanted)
        if not words:
            return []
        code = DISEASE_SCHEME.canonical(text)
        ranked = []
        for value, label, name in self.terms:
            if value == code or _folded(value) == wanted:
                ranked.append((0, name, value, label))
            elif all(w in name for w in words):
                starts = name.startswith(wanted)
                word_start = any(part.startswith(words[0]) for part in _WORD.findall(name))
                ranked.append((1 if starts else 2 if word_start else 3, name, value, label))
        ranked.sort()
        return [(value, label) for _, _, value, label in ranked[:limit]]

    def choices(self, chosen: Sequence[str], text: str) -> tuple[list[DiseaseChoice], int]:
        """The picker's list — the chosen diseases (ticked), then the others matching
        ``text`` — and how many diseases match ``text``."""
        choices = []
        for value in dict.fromkeys(chosen):
            label = self.vocabulary.label(DISEASE_SCHEME.iri(value)) or value
            choices.append(DiseaseChoice(value, label, True))
        picked = {c.value for c in choices}
        found = self.find(text)
        for value, label in found:
            if value not in picked:
                choices.append(DiseaseChoice(value, label, False))
        return choices, len(found)


def _chosen_diseases(params: PurposeParameters) -> list[str]:
    return list(dict.fromkeys(DISEASE_SCHEME.canonical(d) for d in params.purpose_disease))


def _picker_status(reader: Reader, text: str, matches: int) -> str:
    """What the picker found for ``text``, for the live region beside it."""
    if not text.strip():
        return ""
    if matches == 0:
        return reader.gettext("No disease in gdcat's vocabularies matches “%(text)s”.") % {
            "text": text
        }
    message = translations(reader.lang).ngettext(
        "%(num)s disease matches “%(text)s”: tick the one you mean.",
        "%(num)s diseases match “%(text)s”: tick the ones you mean.",
        matches,
    )
    return message % {"num": format_number(matches, reader.lang), "text": text}


# -- views --------------------------------------------------------------------------------


def chart_number(lang: str) -> Callable[[float], str]:
    """Numbers of a chart as the reader's language writes them (ticks may be fractional)."""

    def number(value: float) -> str:
        if float(value).is_integer():
            return format_number(int(value), lang)
        whole, tenths = f"{value:.1f}".split(".")
        decimal = "." if lang == "en" else ","
        return format_number(int(whole), lang) + decimal + tenths

    return number


def _condition_words(condition: Condition, reader: Reader) -> dict[str, str]:
    words = CONDITION_WORDS.get(condition.shorthand or "")
    return {
        "text": reader.gettext(words or UNKNOWN_CONDITION),
        "code": DUO_SCHEME.value(condition.iri),
    }


def _hit_view(
    hit: Hit, found: Searcher, reader: Reader, home: str, lang_query: str
) -> dict[str, Any]:
    p = hit.payload
    titles = p.get("titles", [])
    title_lang = next((lang for text, lang in titles if text == hit.title), None)
    # the purpose query lets only permitting datasets through; should the index and the
    # verdict ever disagree, the page says so rather than call the dataset permitted
    verdict = hit.verdict
    permitted = verdict is not None and verdict.permitted
    permission = p.get("permission")
    term = TERMS_BY_IRI.get(DUO_SCHEME.iri(permission)) if permission else None

    def label(facet: str, value: str) -> str:
        if facet == "country":
            return country_name(value, reader.lang)
        if facet == "sequencing_type" and value in SEQUENCING_TYPE_WORDS:
            return reader.gettext(SEQUENCING_TYPE_WORDS[value])
        return found.label(FACETS_BY_NAME[facet], value) or value

    return {
        "title": hit.title or p["iri"],
        "title_lang": title_lang or None,
        "url": f"{home}dataset/{p['key']}{lang_query}",
        "kind": reader.gettext(KIND_WORDS.get(p["kind"], p["kind"])),
        "country": label("country", p["country"]) if p.get("country") else None,
        "sequencing_types": [label("sequencing_type", v) for v in p.get("sequencing_types", [])],
        "individuals": p.get("individuals"),
        "genomes": p.get("genomes"),
        "access_rights": [
            reader.gettext(ACCESS_WORDS[v]) if v in ACCESS_WORDS else label("access_rights", v)
            for v in p.get("access_rights", [])
        ],
        "permission": reader.gettext(DATA_USE_WORDS[term.shorthand])
        if term is not None and term.shorthand in DATA_USE_WORDS
        else None,
        "permission_code": term.shorthand if term is not None else None,
        "permitted": permitted,
        "reasons": list(verdict.reasons) if verdict is not None else [],
        "conditions": [_condition_words(c, reader) for c in verdict.conditions]
        if verdict is not None
        else [],
    }


def _row_view(
    row: CohortRow, reader: Reader, unknown: str, name: str | None = None
) -> dict[str, Any]:
    return {
        "label": name or row.label or row.value or reader.gettext(unknown),
        "known": row.value is not None,
        "datasets": row.datasets,
        "individuals": row.individuals,
        "genomes": row.genomes,
        "exomes": row.exomes,
        "samples": row.samples,
        "unit": reader.gettext(UNIT_WORDS[row.unit]) if row.unit in UNIT_WORDS else None,
        "produced": row.produced,
    }


def _cohort_view(cohort: Cohort, reader: Reader) -> dict[str, Any]:
    _ = reader.gettext
    number = chart_number(reader.lang)
    text = ChartText(
        no_data=_("No data"),
        no_data_description=_("The matching datasets state no individuals or genomes."),
    )

    def named(code: str | None) -> str | None:
        return country_name(code, reader.lang) if code else None

    countries = sorted(
        (_row_view(r, reader, N_("Country not stated"), named(r.value)) for r in cohort.by_country),
        key=lambda r: (not r["known"], _folded(r["label"])),
    )
    kinds = [
        _row_view(
            r,
            reader,
            N_("Type not stated"),
            _(SEQUENCING_TYPE_WORDS[r.value]) if r.value in SEQUENCING_TYPE_WORDS else None,
        )
        for r in cohort.by_sequencing_type
    ]
    individuals, genomes = _("Individuals"), _("Genomes")
    by_country = grouped_bar_chart(
        [
            Bar(r["label"], {"individuals": r["individuals"], "genomes": r["genomes"]})
            for r in countries
        ],
        [Measure("individuals", individuals), Measure("genomes", genomes)],
        chart_id="cohort-by-country",
        title=_("Individuals and genomes by country"),
        description=_(
            "Individuals and genomes of the datasets that permit the study, per country. "
            "The table below gives every figure."
        ),
        number=number,
        text=text,
    )
    by_type = grouped_bar_chart(
        [
            Bar(r["label"], {"individuals": r["individuals"], "produced": r["produced"] or 0})
            for r in kinds
        ],
        [Measure("individuals", individuals), Measure("produced", _("Genomes, exomes or samples"))],
        chart_id="cohort-by-type",
        title=_("Individuals and what each sequencing type produced"),
        description=_(
            "Per sequencing type, the individuals and the genomes, exomes or samples the type "
            "produced. The table below gives every figure."
        ),
        number=number,
        text=text,
    )
    return {
        "datasets": cohort.datasets,
        "individuals": cohort.individuals,
        "genomes": cohort.genomes,
        "exomes": cohort.exomes,
        "samples": cohort.samples,
        "by_country": countries,
        "by_type": kinds,
        "country_chart": Markup(by_country),
        "type_chart": Markup(by_type),
    }


def _conditions_summary(buckets: Iterable[tuple[str, int]], reader: Reader) -> list[dict[str, Any]]:
    """The conditions the matching datasets set, with how many set each (the ``data_use``
    facet of the same search, its modifiers only)."""
    rows = []
    for value, count in buckets:
        term = TERMS_BY_IRI.get(DUO_SCHEME.iri(value))
        if term is not None and (term.kind != "modifier" or term == _CC):
            continue
        condition = Condition(
            DUO_SCHEME.iri(value), term.shorthand if term else None, term.label if term else ""
        )
        rows.append({**_condition_words(condition, reader), "count": count})
    return rows


def _purpose_summary(
    purpose: Purpose, params: PurposeParameters, vocabulary: Vocabulary, reader: Reader
) -> list[dict[str, str | None]]:
    """The stated purpose, in words: the kind, the diseases, the facts of use."""
    parts: list[dict[str, str | None]] = []
    if purpose.category is not None:
        kind = TERMS_BY_IRI[purpose.category.value].shorthand
        parts.append({"text": reader.gettext(_KIND_LABELS[kind]), "lang": None})
    for iri in purpose.diseases:
        label = vocabulary.label(iri)
        parts.append({"text": label or DISEASE_SCHEME.value(iri), "lang": "en" if label else None})
    for name, words in FLAG_WORDS.items():
        if getattr(params, name):
            parts.append({"text": reader.gettext(words), "lang": None})
    return parts


# -- routes -------------------------------------------------------------------------------


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/data-use`` and its disease picker's fragment ``/data-use/diseases``."""
    settings = ctx.settings
    offer_page(app, "data-use")

    class DataUseQuery(DatasetQueryBase):
        page_size: int = Field(settings.page_size, ge=1, le=settings.max_page_size)
        #: the disease picker's text: looked up, never a filter
        disease_q: str = Field("", max_length=200)

    searchers: dict[int, Searcher] = {}
    pickers: dict[str, DiseasePicker] = {}

    def picker(vocabulary: Vocabulary) -> DiseasePicker:
        """The picker of these vocabularies (made again when they change)."""
        if vocabulary.digest not in pickers:
            pickers.clear()
            pickers[vocabulary.digest] = DiseasePicker.of(vocabulary)
        return pickers[vocabulary.digest]

    def index() -> SearchIndex:
        current = ctx.index
        if not isinstance(current, SearchIndex):
            raise HTTPException(503, "the search index is off: data-use matching is not available")
        return current

    def searcher() -> Searcher:
        current = index()
        key = id(current)
        if key not in searchers:
            searchers.clear()
            searchers[key] = Searcher(current)
        return searchers[key]

    @app.get("/data-use", include_in_schema=False, response_class=HTMLResponse)
    def data_use_page(request: Request) -> HTMLResponse:
        params = parse(request, DataUseQuery)
        assert isinstance(params, DataUseQuery)
        reader = reader_of(request)
        language = request.query_params.get("lang") or reader.lang
        vocabulary = index().vocabulary
        home = str(request.base_url)
        path = f"{home}data-use"
        state = State.of(request)
        lang_query = f"?lang={reader.lang}" if reader.chosen else ""

        choices, matches = picker(vocabulary).choices(_chosen_diseases(params), params.disease_q)
        purpose = params.to_purpose([])
        notes: list[str] = []
        if params.purpose_disease and purpose is not None and purpose.category is Category.POA:
            notes.append(
                reader.gettext(
                    "Diseases are left out: population origins or ancestry research is not "
                    "disease-specific."
                )
            )
        needs_disease = (
            purpose is not None and purpose.category is Category.DS and not purpose.diseases
        )
        checked_kind = ""
        if purpose is not None and purpose.category is not None:
            checked_kind = TERMS_BY_IRI[purpose.category.value].shorthand

        context: dict[str, Any] = {
            "section": "data-use",
            "kinds": KINDS,
            "checked_kind": checked_kind,
            "questions": [
                (name, question, no, yes, bool(getattr(params, name)))
                for name, question, no, yes in QUESTIONS
            ],
            "flags": [(name, label, bool(getattr(params, name))) for name, label in FLAGS],
            "disease_q": params.disease_q,
            "choices": choices,
            "out_of_band": False,
            "picker_status": _picker_status(reader, params.disease_q, matches),
            "hidden": [
                (k, v)
                for k, v in state.items
                if k not in PurposeParameters.model_fields and k != "disease_q"
            ],
            "needs_disease": needs_disease,
            "notes": notes,
            "results": None,
        }
        if purpose is not None and not needs_disease:
            found = searcher()
            request_ = dataclasses.replace(
                search_request(params, language, params.page_size),
                facets=("data_use",),
                facet_size=_CONDITIONS_FACET_SIZE,
            )
            result = found.search(request_)
            pages = max(1, -(-result.total // params.page_size))
            last = min(pages, max(1, MAX_RESULT_WINDOW // params.page_size))
            api_state = State(tuple(i for i in state.items if i[0] != "disease_q"))
            data_use_facet = next(f for f in result.facets if f.name == "data_use")
            context["results"] = {
                "total": result.total,
                "page": params.page,
                "pages": pages,
                "first_index": (params.page - 1) * params.page_size + 1,
                "summary": _purpose_summary(purpose, params, vocabulary, reader),
                "hits": [_hit_view(h, found, reader, home, lang_query) for h in result.hits],
                "cohort": _cohort_view(result.cohort, reader),
                "conditions": _conditions_summary(
                    ((b.value, b.count) for b in data_use_facet.buckets), reader
                ),
                "warnings": list(result.warnings),
                "prev_url": f"{path}?{state.query(page=params.page - 1)}"
                if 1 < params.page <= pages
                else None,
                "next_url": f"{path}?{state.query(page=params.page + 1)}"
                if params.page < last
                else None,
                "json_url": f"{home}api/datasets?{api_state.query(page=params.page)}",
                "csv_url": f"{home}search.csv?{api_state.without('lang').query()}",
                "search_url": f"{home}search?{api_state.query()}",
            }
        body = render(request, "data_use.html", **context)
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})

    @app.get("/data-use/diseases", include_in_schema=False, response_class=HTMLResponse)
    def disease_picker(request: Request) -> HTMLResponse:
        """The picker's list for the text typed so far (an HTML fragment for htmx)."""
        params = parse(request, DataUseQuery)
        assert isinstance(params, DataUseQuery)
        reader = reader_of(request)
        found = picker(index().vocabulary)
        choices, matches = found.choices(_chosen_diseases(params), params.disease_q)
        body = render(
            request,
            "data_use_diseases.html",
            choices=choices,
            picker_status=_picker_status(reader, params.disease_q, matches),
            out_of_band=True,
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})
