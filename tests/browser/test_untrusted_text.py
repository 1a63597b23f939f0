"""Harvested text is untrusted: a record carrying script payloads in every field a page shows
is harvested, and every page that shows it is opened in Chromium. No script of the payloads
runs, no dialog opens, no ``javascript:`` (or ``data:``) link or event handler attribute
exists in the DOM, and each payload is shown as the text it is.

Each page is opened twice: under gdcat's Content-Security-Policy, where it must also load
without a single refused script or style, and with the policy bypassed, so that the escaping
of the templates alone is what is tested there.

Language tags cannot carry markup (the grammar of RDF allows letters, digits and ``-`` only),
so the record's tags are merely odd: private-use subtags named like event handlers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from browser_tabs import Tab, running_gdcat

from gdcat.harvest import Harvester
from gdcat.harvest.registry import parse_registry
from gdcat.store import record_iri

DATASET = "https://xss.example/dataset/'onmouseover='__xss(1)'"
DISTRIBUTION = "https://xss.example/distribution/'onfocus='__xss(2)'"

#: Markup that calls ``__xss(where)`` if a browser ever runs it, by every route into a page:
#: out of a script element, out of an attribute, an element with a handler, a template.
PAYLOADS = (
    '</script><script>__xss("{where}")</script>',
    '"><img src=x onerror=__xss("{where}")>',
    "'><svg/onload=__xss('{where}')>",
    "<iframe src=\"javascript:__xss('{where}')\"></iframe>",
    "{{{{7*7}}}} ${{7*7}}",
)

#: Link targets that would run a script if a page made them links.
SCRIPT_IRIS = {
    "landing": "javascript:__xss('landing')",
    "access": "JaVaScRiPt:__xss('access')",
    "download": "javascript:__xss('download')//",
    "contact": "javascript:__xss('contact')",
    "page": "data:text/html,%3Cscript%3E__xss('page')%3C/script%3E",
    "licence": "vbscript:__xss('licence')",
    "publisher": "javascript:__xss('publisher')",
}


def poisoned(where: str) -> str:
    """A Turtle string literal holding every payload, marked with ``where`` it was put."""
    text = f"{where}: " + " ".join(p.format(where=where) for p in PAYLOADS)
    return json.dumps(text)  # a JSON string is a valid Turtle string


def catalogue() -> str:
    """A DCAT catalogue of one dataset with a payload in every field a page shows."""
    return f"""\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix gdcat: <https://w3id.org/gdcat/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://xss.example/catalogue> a dcat:Catalog ;
    dct:title {poisoned("catalogue title")}@en ;
    dcat:dataset <{DATASET}> .

<{DATASET}> a dcat:Dataset ;
    dct:title {poisoned("title")}@en, {poisoned("other title")}@de-x-onerror ;
    dct:description {poisoned("description")}@en ;
    dct:identifier {poisoned("identifier")} ;
    dcat:keyword {poisoned("keyword")}@en, {poisoned("keyword two")}@en-x-onload ;
    dcat:landingPage <{SCRIPT_IRIS["landing"]}> ;
    dct:license <{SCRIPT_IRIS["licence"]}> ;
    dct:issued "2025-01-15"^^xsd:date ;
    dct:provenance [ a dct:ProvenanceStatement ; rdfs:label {poisoned("provenance")}@en ] ;
    gdcat:sequencingPlatform {poisoned("platform")} ;
    dct:publisher <{SCRIPT_IRIS["publisher"]}> ;
    dcat:contactPoint [ a vcard:Kind ;
        vcard:fn {poisoned("contact name")} ;
        vcard:hasEmail {poisoned("contact email")} ;
        vcard:hasURL <{SCRIPT_IRIS["contact"]}> ] ;
    dcat:distribution <{DISTRIBUTION}> .

<{DISTRIBUTION}> a dcat:Distribution ;
    dct:title {poisoned("distribution title")}@en ;
    dct:description {poisoned("distribution description")}@en ;
    dcat:accessURL <{SCRIPT_IRIS["access"]}> ;
    dcat:downloadURL <{SCRIPT_IRIS["download"]}> .

<{SCRIPT_IRIS["publisher"]}> a foaf:Agent ;
    foaf:name {poisoned("publisher name")}@en ;
    cv:contactPoint [ a cv:ContactPoint ;
        cv:contactPage <{SCRIPT_IRIS["page"]}> ;
        cv:email {poisoned("publisher email")} ] .
"""


@dataclass
class Poisoned:
    url: str
    dataset_page: str
    run_page: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Poisoned]:
    """gdcat serving a store into which the poisoned catalogue was harvested (the node's
    policy accepts records with violations, so that nothing keeps the payloads out)."""
    tmp = tmp_path_factory.mktemp("untrusted")
    source = tmp / "catalogue.ttl"
    source.write_text(catalogue(), encoding="utf-8")
    registry = tmp / "nodes.toml"
    registry.write_text(
        f'[[node]]\nid = "xss"\nkind = "dcat"\nurl = "{source}"\npolicy = "accept"\n',
        encoding="utf-8",
    )
    with running_gdcat(tmp) as (url, settings, store):
        nodes = parse_registry(registry.read_text(), source=str(registry))
        with Harvester(store, settings) as harvester:
            report = harvester.run(nodes)
        assert DATASET in store.list_records(), report
        key = record_iri(settings.base_iri, DATASET).rsplit("/", 1)[1]
        run_page = report.run.replace(settings.base_iri, url + "/")
        yield Poisoned(url, f"{url}/dataset/{key}", run_page)


#: Installed before any script of a page: what a payload would call if it ran.
TRAP = """
window.__xssHits = [];
window.__xss = (where) => window.__xssHits.push(String(where));
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (message) => window.__xssHits.push(name + ": " + message);
}
"""

#: What the DOM holds that could run a script: event handler attributes, links and sources
#: with a scripting scheme, elements the payloads would have made (an SVG that is not one of
#: gdcat's charts), scripts other than gdcat's own files and JSON-LD data blocks (which must
#: parse).
INSPECT = """
() => {
  const found = [];
  const schemes = ["javascript:", "data:", "vbscript:"];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} ${name}=${attr.value}`);
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(name)) {
        const scheme = attr.value.trim().toLowerCase();
        if (schemes.some((s) => scheme.startsWith(s))) {
          found.push(`${el.tagName} ${name}=${attr.value}`);
        }
      }
    }
  }
  for (const tag of ["img", "svg", "iframe", "object", "embed"]) {
    for (const el of document.getElementsByTagName(tag)) {
      // gdcat's own charts (server-rendered SVG, gdcat.ui.charts) are the one kind allowed
      if (tag === "svg" && el.classList.contains("gd-chart")) continue;
      found.push(`<${tag}> element`);
    }
  }
  for (const script of document.scripts) {
    if (script.src) continue;
    if (script.type !== "application/ld+json") {
      found.push(`inline script: ${script.text}`);
      continue;
    }
    try { JSON.parse(script.text); } catch (e) { found.push(`broken JSON-LD: ${e}`); }
  }
  return found;
}
"""


#: What Chromium logs for the problem page (a 4xx answer), the one expected console error.
REFUSED_PATH = "Failed to load resource: the server responded with a status of 4"


def pages_showing(served: Poisoned) -> list[str]:
    """Every page that shows the record: the dataset's, the pages it links to on gdcat
    (catalogue record, distributions, catalogue), the harvest run's, the feed, the home page,
    and a problem page echoing a payload in its path."""
    return [
        served.dataset_page,
        served.run_page,
        served.url + "/",
        served.url + "/feed",
        served.url + "/catalog/xss",
        served.url + "/dataset/" + quote('</script><script>__xss("path")</script>'),
    ]


def linked_pages(tab: Tab, served: Poisoned) -> list[str]:
    links = tab.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return sorted(
        {
            link.split("#")[0]
            for link in links
            if link.startswith(served.url + "/")
            and "format=" not in link
            and not link.startswith(served.url + "/api/")
            and "/sparql" not in link
        }
    )


def check(tab: Tab, url: str) -> str:
    """Open ``url`` and fail on any sign of a payload at work; the page's text."""
    tab.open(url)
    hits = tab.page.evaluate("window.__xssHits")
    assert hits == [], f"{url}: a payload ran: {hits}"
    dangerous = tab.page.evaluate(INSPECT)
    assert dangerous == [], f"{url}: {dangerous}"
    return str(tab.page.inner_text("body"))


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_no_payload_runs_on_any_page_that_shows_the_record(
    served: Poisoned, open_tab: Callable[..., Tab], bypass_csp: bool
) -> None:
    tab = open_tab(bypass_csp=bypass_csp)
    tab.page.add_init_script(TRAP)
    text = check(tab, served.dataset_page)
    # Every field is on the page, its payloads shown as text.
    for where in ("title", "description", "keyword", "publisher name", "contact name"):
        for payload in PAYLOADS:
            assert payload.format(where=where) in text, (where, payload)
    assert "{{7*7}}" in text and "${7*7}" in text
    for where, iri in SCRIPT_IRIS.items():
        if where == "publisher":  # a named agent is shown by its name, its IRI on hover
            titled = tab.page.locator("span[title]", has_text="publisher name").first
            assert titled.get_attribute("title") == iri
            continue
        assert iri in text or iri.lower() in text.lower(), iri  # shown, not linked
    more = linked_pages(tab, served)
    assert any("/record/" in page for page in more)
    assert any("/distribution/" in page for page in more)
    for url in dict.fromkeys(pages_showing(served) + more):
        check(tab, url)
    assert tab.dialogs == [] and tab.page_errors == []
    if not bypass_csp:
        # Under the policy, gdcat's own pages load without a refused script or style.
        # (The problem page's own status is the one error the console may show.)
        unexpected = [m for m in tab.console_errors if not m.startswith(REFUSED_PATH)]
        assert unexpected == [], unexpected


def test_the_dataset_page_with_the_payloads_as_text(served: Poisoned, tab: Tab) -> None:
    tab.page.add_init_script(TRAP)
    check(tab, served.dataset_page)
    title = tab.page.inner_text("h1")
    assert title.startswith("title: </script><script>")
    path = tab.screenshot("dataset-untrusted-text")
    assert path.stat().st_size > 10_000
