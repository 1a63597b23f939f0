"""GET /api/datasets against the harvested demo federation: facets agree with SPARQL over the
store, filters compose, text search reads every language, ontology-aware filters, data-use
matching, cohort totals, paging and sorting, invalid parameters."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pytest
from live_gdcat import LiveGdcat

from gdcat.search.documents import sort_key
from gdcat.search.terms import DISEASE_SCHEME, FACETS_BY_NAME, Scheme
from gdcat.search.vocabulary import Vocabulary, load_vocabulary

PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX gdcat: <https://w3id.org/gdcat/ns#>
PREFIX health: <http://healthdataportal.eu/ns/health#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
OBO = "http://purl.obolibrary.org/obo/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def get(live: LiveGdcat, path: str = "/api/datasets", **params: Any) -> dict[str, Any]:
    r = httpx.get(live.url + path, params=params, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    data: dict[str, Any] = r.json()
    return data


def every_hit(live: LiveGdcat, **params: Any) -> list[dict[str, Any]]:
    """All hits of a search, page by page."""
    hits: list[dict[str, Any]] = []
    page = 1
    while True:
        found = get(live, page=page, page_size=50, facet=["country"], **params)
        hits.extend(found["hits"])
        if found["links"]["next"] is None:
            assert len(hits) == found["total"]
            return hits
        page += 1


def iris(hits: list[dict[str, Any]]) -> set[str]:
    return {h["iri"] for h in hits}


def select(live: LiveGdcat, where: str, variables: str = "?d") -> list[tuple[Any, ...]]:
    """Rows over the live dataset and series records (``?record``, ``?d``) of the store."""
    prov = live.store.provenance_graph
    query = (
        f"{PREFIXES} SELECT {variables} WHERE {{ "
        f"GRAPH <{prov}> {{ ?record foaf:primaryTopic ?d "
        f"FILTER NOT EXISTS {{ ?record adms:status <http://purl.org/adms/changetype/deleted> }} }} "
        f"GRAPH ?record {{ ?d a ?type FILTER(?type IN (dcat:Dataset, dcat:DatasetSeries)) }} "
        f"{where} }}"
    )
    result = live.store.query(query, union_default_graph=False)
    return [tuple(t.value if t is not None else None for t in row) for row in result.rows]


def values_by_dataset(live: LiveGdcat, predicate: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for d, value in select(live, f"GRAPH ?record {{ ?d {predicate} ?v }}", "DISTINCT ?d ?v"):
        out.setdefault(d, set()).add(value)
    return out


def all_datasets(live: LiveGdcat) -> set[str]:
    return {row[0] for row in select(live, "", "DISTINCT ?d")}


# -- facets --------------------------------------------------------------------------------

_FACET_PREDICATES = {
    "health_category": "health:healthCategory",
    "sequencing_type": "gdcat:sequencingType",
    "reference_genome": "gdcat:referenceGenome",
    "disease": "gdcat:disease",
    "phenotype": "gdcat:phenotype",
    "data_use": "gdcat:dataUsePermission|gdcat:dataUseModifier",
    "access_rights": "dct:accessRights",
    "publisher": "dct:publisher",
}


def sparql_counts(live: LiveGdcat, facet: str) -> Counter[str]:
    scheme: Scheme = FACETS_BY_NAME[facet].scheme
    if facet == "node":
        rows = select(
            live,
            f"GRAPH <{live.store.provenance_graph}> {{ ?record gdcat:sourceNode ?v }}",
            "DISTINCT ?d ?v",
        )
    elif facet == "country":
        rows = select(
            live,
            f"OPTIONAL {{ GRAPH <{live.store.provenance_graph}> "
            "{ ?record gdcat:sourceCountry ?c } } "
            "OPTIONAL { GRAPH ?record { ?d dct:spatial ?s "
            f'FILTER(STRSTARTS(STR(?s), "{COUNTRY}")) }} }} '
            "BIND(COALESCE(?c, ?s) AS ?v) FILTER(BOUND(?v))",
            "DISTINCT ?d ?v",
        )
        # a dataset of several countries counts under the node's country, else the first
        first: dict[str, str] = {}
        for d, v in rows:
            first[d] = min(first.get(d, v), v)
        rows = list(first.items())
    else:
        predicate = _FACET_PREDICATES[facet]
        rows = select(live, f"GRAPH ?record {{ ?d {predicate} ?v }}", "DISTINCT ?d ?v")
    return Counter(scheme.value(v) for _, v in rows)


@pytest.mark.parametrize("facet", list(FACETS_BY_NAME))
def test_facet_counts_equal_sparql_counts_over_the_store(
    gdcat_server: LiveGdcat, facet: str
) -> None:
    found = get(gdcat_server, facet=[facet], facet_size=200, page_size=1)
    buckets = found["facets"][facet]["buckets"]
    counted = {b["value"]: b["count"] for b in buckets}
    expected = sparql_counts(gdcat_server, facet)
    assert counted == dict(expected)
    assert found["facets"][facet]["other"] == 0
    assert all(b["label"] for b in buckets), [b for b in buckets if not b["label"]]


def test_facets_of_a_filtered_search_count_within_the_other_filters(
    gdcat_server: LiveGdcat,
) -> None:
    found = get(gdcat_server, sequencing_type="WES", country="FRA", facet_size=200)
    wes = every_hit(gdcat_server, sequencing_type="WES")
    # the country facet counts WES datasets of every country (its own filter left out) ...
    by_country = Counter(h["country"]["value"] for h in wes if h["country"])
    counted = {b["value"]: b["count"] for b in found["facets"]["country"]["buckets"]}
    assert counted == dict(by_country)
    assert [b["value"] for b in found["facets"]["country"]["buckets"] if b["selected"]] == ["FRA"]
    # ... and every other facet counts within both filters
    assert sum(b["count"] for b in found["facets"]["access_rights"]["buckets"]) == found["total"]


# -- filters -------------------------------------------------------------------------------


def test_filters_combine_with_and_across_parameters_and_or_within_one(
    gdcat_server: LiveGdcat,
) -> None:
    wgs = iris(every_hit(gdcat_server, sequencing_type="WGS"))
    wes = iris(every_hit(gdcat_server, sequencing_type="WES"))
    restricted = iris(every_hit(gdcat_server, access_rights="RESTRICTED"))
    assert wgs and wes and restricted
    either = iris(every_hit(gdcat_server, sequencing_type=["WGS", "WES"]))
    assert either == wgs | wes
    both = iris(every_hit(gdcat_server, sequencing_type=["WGS", "WES"], access_rights="RESTRICTED"))
    assert both == (wgs | wes) & restricted
    assert both < either


def test_a_filter_takes_a_code_or_its_iri_in_any_case(gdcat_server: LiveGdcat) -> None:
    by_code = get(gdcat_server, country="DEU")["total"]
    assert by_code > 0
    assert get(gdcat_server, country="deu")["total"] == by_code
    assert get(gdcat_server, country=COUNTRY + "DEU")["total"] == by_code
    assert get(gdcat_server, country="ZZZ")["total"] == 0  # well formed, nowhere


def _native_word(live: LiveGdcat) -> tuple[str, str]:
    """A word of a dataset's title in its national language that none of its English texts
    has (and that has an accent, when there is one)."""
    native = select(
        live,
        'GRAPH ?record { ?d dct:title ?t FILTER(LANG(?t) NOT IN ("en", "")) }',
        "DISTINCT ?d ?t",
    )
    english: dict[str, set[str]] = {}
    for d, text in select(
        live,
        "GRAPH ?record { ?d dct:title|dct:description|dcat:keyword ?t "
        'FILTER(LANGMATCHES(LANG(?t), "en")) }',
        "?d ?t",
    ):
        english.setdefault(d, set()).update(re.findall(r"\w+", text.lower()))
    candidates = []
    for d, title in native:
        for word in re.findall(r"[^\W\d_]{6,}", title.lower()):
            if word not in english.get(d, set()):
                candidates.append((not re.search(r"[^a-z]", word), word, d))
    assert candidates, "the demo has titles in national languages"
    _, word, dataset = sorted(candidates)[0]
    return word, dataset


def test_text_search_finds_a_title_in_its_national_language(gdcat_server: LiveGdcat) -> None:
    word, dataset = _native_word(gdcat_server)
    assert dataset in iris(every_hit(gdcat_server, q=word))
    # without its accents, and in capitals, it is the same word
    import unicodedata

    plain = "".join(
        c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
    ).upper()
    assert dataset in iris(every_hit(gdcat_server, q=plain))


def test_text_search_ranks_and_shows_where_it_matched(gdcat_server: LiveGdcat) -> None:
    found = get(gdcat_server, q="exome", page_size=5)
    assert found["sort"] == "relevance" and found["total"] > 0
    scores = [h["score"] for h in found["hits"]]
    assert scores == sorted(scores, reverse=True)
    with_snippet = [h for h in found["hits"] if h["snippet_html"]]
    assert with_snippet and all("<b>" in h["snippet_html"].lower() for h in with_snippet)
    assert all("exome" in (h["title"] + (h["snippet"] or "")).lower() for h in found["hits"])


def test_a_query_that_is_not_valid_syntax_searches_its_words(gdcat_server: LiveGdcat) -> None:
    broken = get(gdcat_server, q='exome AND ("')
    assert broken["warnings"] and "exome" in broken["warnings"][0]
    assert iris(broken["hits"]) <= iris(every_hit(gdcat_server, q="exome"))
    assert broken["total"] > 0


def test_titles_come_in_the_language_asked_for(gdcat_server: LiveGdcat) -> None:
    french = get(gdcat_server, country="FRA", lang="fr", page_size=50)["hits"]
    english = get(gdcat_server, country="FRA", lang="en", page_size=50)["hits"]
    titles = values_by_dataset(gdcat_server, "dct:title")
    assert {h["iri"]: h["title"] for h in french} != {h["iri"]: h["title"] for h in english}
    for hit in french + english:
        assert hit["title"] in titles[hit["iri"]]


# -- ontology-aware filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "term", "predicate", "scheme_name"),
    [
        ("disease", "MONDO:0004992", "gdcat:disease", "disease"),  # cancer
        ("disease", "ORPHA:98053", "gdcat:disease", "disease"),  # rare genetic disease
        ("phenotype", "HP:0001626", "gdcat:phenotype", "phenotype"),  # cardiovascular
    ],
)
def test_a_term_finds_datasets_annotated_with_it_or_a_narrower_term(
    gdcat_server: LiveGdcat,
    vocabulary: Vocabulary,
    parameter: str,
    term: str,
    predicate: str,
    scheme_name: str,
) -> None:
    scheme = FACETS_BY_NAME[scheme_name].scheme
    wanted = scheme.iri(term)
    annotated = values_by_dataset(gdcat_server, predicate)
    expected = {d for d, terms in annotated.items() if wanted in vocabulary.closure(terms)}
    only_narrower = {d for d in expected if wanted not in annotated[d]}
    assert only_narrower, "the demo annotates with narrower terms only"
    assert iris(every_hit(gdcat_server, **{parameter: term})) == expected


# -- data use ------------------------------------------------------------------------------


def _with_permission(live: LiveGdcat, shorthand_number: str) -> set[str]:
    permissions = values_by_dataset(live, "gdcat:dataUsePermission")
    return {d for d, p in permissions.items() if p == {OBO + "DUO_" + shorthand_number}}


def test_a_gru_dataset_permits_a_disease_specific_study(gdcat_server: LiveGdcat) -> None:
    gru = _with_permission(gdcat_server, "0000042")
    assert gru
    permitted = iris(every_hit(gdcat_server, purpose="DS", purpose_disease="MONDO:0005045"))
    assert gru <= permitted
    for hit in every_hit(gdcat_server, purpose="DS", purpose_disease="MONDO:0005045"):
        assert hit["data_use"]["permitted"] is True


def test_an_ncu_dataset_refuses_a_commercial_study(gdcat_server: LiveGdcat) -> None:
    modifiers = values_by_dataset(gdcat_server, "gdcat:dataUseModifier")
    ncu = {d for d, m in modifiers.items() if OBO + "DUO_0000046" in m}
    health = _with_permission(gdcat_server, "0000006") | _with_permission(gdcat_server, "0000042")
    assert ncu & health
    commercial = iris(every_hit(gdcat_server, purpose="HMB", commercial="true"))
    assert not commercial & ncu
    academic = every_hit(gdcat_server, purpose="HMB")
    assert ncu & health <= iris(academic)
    for hit in academic:
        if hit["iri"] in ncu:
            assert "NCU" in [c["shorthand"] for c in hit["data_use"]["conditions"]]


def test_a_ds_dataset_for_cancer_refuses_a_cardiovascular_study(
    gdcat_server: LiveGdcat, vocabulary: Vocabulary
) -> None:
    ds = _with_permission(gdcat_server, "0000007")
    diseases = values_by_dataset(gdcat_server, "gdcat:disease")
    cancer_roots = {OBO + "MONDO_0004992", "http://www.orpha.net/ORDO/Orphanet_250908"}
    for_cancer = {d for d in ds if vocabulary.closure(diseases.get(d, set())) & cancer_roots}
    assert for_cancer
    cardiovascular = iris(every_hit(gdcat_server, purpose="DS", purpose_disease="MONDO:0004995"))
    assert not cardiovascular & for_cancer
    # while a study of a cancer one of them names is permitted by those naming it
    named = sorted(
        disease
        for d in for_cancer
        for disease in diseases[d]
        if vocabulary.closure({disease}) & cancer_roots
    )
    assert named
    study = named[0]
    naming = {d for d in for_cancer if study in diseases[d]}
    assert naming <= iris(
        every_hit(gdcat_server, purpose="DS", purpose_disease=DISEASE_SCHEME.value(study))
    )


def test_the_verdict_of_each_dataset_agrees_with_the_search(gdcat_server: LiveGdcat) -> None:
    purpose = {"purpose": "DS", "purpose_disease": "MONDO:0007254", "commercial": "true"}
    permitted = iris(every_hit(gdcat_server, **purpose))
    assert permitted
    everything = every_hit(gdcat_server)
    refused_reasons = 0
    for hit in everything:
        detail = get(gdcat_server, f"/api/datasets/{hit['key']}", **purpose)
        verdict = detail["data_use"]
        assert verdict["permitted"] == (hit["iri"] in permitted), hit["iri"]
        if not verdict["permitted"]:
            assert verdict["reasons"] and verdict["conditions"] == []
            refused_reasons += 1
    assert refused_reasons > 0


# -- cohort totals -------------------------------------------------------------------------


def test_cohort_totals_of_everything_are_the_inventorys(gdcat_server: LiveGdcat) -> None:
    from gdcat.store import compute_inventory

    inventory = compute_inventory(gdcat_server.store)
    cohort = get(gdcat_server, page_size=1)["cohort"]
    totals = inventory.totals
    assert (cohort["datasets"], cohort["individuals"], cohort["genomes"]) == (
        totals.datasets,
        totals.individuals,
        totals.genomes,
    )
    assert (cohort["exomes"], cohort["samples"]) == (totals.exomes, totals.samples)
    by_country = {
        r["value"]: (r["datasets"], r["individuals"], r["genomes"]) for r in cohort["by_country"]
    }
    assert by_country == {
        row.country: (row.datasets, row.individuals, row.genomes) for row in inventory.countries
    }
    produced = {r["value"]: r["produced"] for r in cohort["by_sequencing_type"]}
    assert produced == totals.by_sequencing_type


def test_cohort_totals_are_the_sums_over_the_matching_records(gdcat_server: LiveGdcat) -> None:
    filters = {"sequencing_type": ["WGS", "WES"], "access_rights": "NON_PUBLIC"}
    cohort = get(gdcat_server, page_size=1, **filters)["cohort"]
    matching = every_hit(gdcat_server, **filters)
    individuals = values_by_dataset(gdcat_server, "health:numberOfUniqueIndividuals")
    genomes = values_by_dataset(gdcat_server, "gdcat:numberOfGenomes")
    derived = {
        row[0]
        for row in select(
            gdcat_server,
            "GRAPH ?record { ?d dct:source|prov:wasDerivedFrom ?s } "
            f"GRAPH <{gdcat_server.store.provenance_graph}> {{ ?r2 foaf:primaryTopic ?s }}",
            "DISTINCT ?d",
        )
    }
    counted = [h["iri"] for h in matching if h["type"] == "dataset" and h["iri"] not in derived]
    assert cohort["datasets"] == len(counted) > 0
    assert cohort["individuals"] == sum(int(next(iter(individuals.get(d, {"0"})))) for d in counted)
    assert cohort["genomes"] == sum(int(next(iter(genomes.get(d, {"0"})))) for d in counted)
    by_country = Counter(h["country"]["value"] for h in matching if h["iri"] in counted)
    assert {r["value"]: r["datasets"] for r in cohort["by_country"]} == dict(by_country)


# -- paging and sorting --------------------------------------------------------------------


def test_pages_cover_every_match_once(gdcat_server: LiveGdcat) -> None:
    total = get(gdcat_server, page_size=1)["total"]
    seen: list[str] = []
    page = get(gdcat_server, page_size=7)
    while True:
        seen.extend(h["key"] for h in page["hits"])
        if page["links"]["next"] is None:
            break
        page = httpx.get(page["links"]["next"], timeout=30).json()
    assert len(seen) == len(set(seen)) == total == len(all_datasets(gdcat_server))
    assert get(gdcat_server, page=99, page_size=7)["hits"] == []


@pytest.mark.parametrize(
    ("sort", "key", "descending"),
    [
        ("title", "title", False),
        ("-title", "title", True),
        ("modified", "modified", False),
        ("-modified", "modified", True),
        ("individuals", "individuals", False),
        ("-individuals", "individuals", True),
    ],
)
def test_results_sort_by_title_date_and_size(
    gdcat_server: LiveGdcat, sort: str, key: str, descending: bool
) -> None:
    hits = every_hit(gdcat_server, sort=sort)
    assert get(gdcat_server, sort=sort, page_size=1)["sort"] == sort
    if key == "title":
        english = values_by_dataset(gdcat_server, "dct:title")
        assert all(h["title"] in english[h["iri"]] for h in hits)
        values: list[Any] = [sort_key(h["title"]) for h in hits]
    elif key == "modified":
        values = [h["modified"] or "" for h in hits]
    else:
        values = [h["individuals"] or 0 for h in hits]
    assert values == sorted(values, reverse=descending)


# -- invalid parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "first"},
        {"page_size": "0"},
        {"page_size": "100000"},
        {"country": "France"},
        {"disease": "cancer"},
        {"phenotype": "HP:1"},
        {"data_use": "GRU"},
        {"sort": "popularity"},
        {"purpose": "NRES"},
        {"purpose_disease": "heart"},
        {"commercial": "maybe"},
        {"facet": "colour"},
        {"facet_size": "0"},
        {"lang": "français"},
        {"type": "catalog"},
        {"q": "x" * 1001},
        {"country": ["FRA"] * 21},
    ],
)
def test_an_invalid_parameter_is_a_422_problem_naming_it(
    gdcat_server: LiveGdcat, params: dict[str, Any]
) -> None:
    r = httpx.get(gdcat_server.url + "/api/datasets", params=params, timeout=30)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 422
    assert any(next(iter(params)) in e["where"] for e in problem["errors"]), problem


def test_a_misspelt_filter_is_refused_rather_than_ignored(gdcat_server: LiveGdcat) -> None:
    r = httpx.get(f"{gdcat_server.url}/api/datasets", params={"contry": "FRA"}, timeout=30)
    assert r.status_code == 422
    assert "contry" in r.text
    fine = httpx.get(f"{gdcat_server.url}/api/datasets", params={"country": "FRA"}, timeout=30)
    assert fine.status_code == 200
