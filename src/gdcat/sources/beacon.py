"""GA4GH Beacon v2 as a linked data service.

A Beacon publishes no RDF. gdcat reads its ``/info`` (who runs it, what it is),
``/filtering_terms`` (the ontology terms it can be queried by) and ``/datasets`` (the dataset
collections it answers for), and describes it as one ``dcat:DataService`` record:

- the service IRI is the Beacon's API URL, its ``dcat:endpointURL`` too; ``dct:identifier``,
  ``dct:title``, ``dct:description`` and the organisation (``dct:publisher``) come from
  ``/info``; ``dct:conformsTo`` names the Beacon v2 specification;
- every filtering term with a known CURIE prefix (HP, MONDO, Orphanet/ORDO, DUO, NCIT, EFO,
  OBI, UBERON, NCBITaxon…) becomes a ``gdcat:filteringTerm`` IRI, kept for facets; other terms
  are kept as ``gdcat:filteringTermCode`` strings;
- each dataset collection's id is given as ``gdcat:servesDatasetIdentifier``; the harvest
  replaces it with ``dcat:servesDataset`` to the catalogued dataset whose ``dct:identifier``
  matches (see :mod:`gdcat.harvest.normalise`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from gdcat.errors import InputError
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits, check_writable, load_json
from gdcat.sources.base import Document, Failure, Item, PageState
from gdcat.sources.http import FetchError, HttpClient
from gdcat.vocab import GDCAT

BEACON_V2 = URIRef("https://github.com/ga4gh-beacon/beacon-v2")
SERVES_IDENTIFIER = GDCAT.servesDatasetIdentifier
FILTERING_TERM = GDCAT.filteringTerm
FILTERING_TERM_CODE = GDCAT.filteringTermCode

#: CURIE prefixes of filtering terms, and the IRI each expands to.
CURIE_PREFIXES = {
    "hp": "http://purl.obolibrary.org/obo/HP_",
    "mondo": "http://purl.obolibrary.org/obo/MONDO_",
    "duo": "http://purl.obolibrary.org/obo/DUO_",
    "ncit": "http://purl.obolibrary.org/obo/NCIT_",
    "efo": "http://www.ebi.ac.uk/efo/EFO_",
    "obi": "http://purl.obolibrary.org/obo/OBI_",
    "uberon": "http://purl.obolibrary.org/obo/UBERON_",
    "ncbitaxon": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    "ordo": "http://www.orpha.net/ORDO/Orphanet_",
    "orpha": "http://www.orpha.net/ORDO/Orphanet_",
    "icd10": "http://purl.bioontology.org/ontology/ICD10/",
}


def expand_curie(curie: str) -> str | None:
    """The IRI of a filtering-term CURIE (``HP:0001250``), or None for an unknown prefix."""
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, sep, local = curie.partition(":")
    base = CURIE_PREFIXES.get(prefix.lower())
    if not sep or base is None or not local:
        return None
    return base + local


@dataclass(frozen=True)
class BeaconSource:
    """A Beacon v2 API, named by its root (the URL ``/info`` hangs under)."""

    url: str
    limits: ParseLimits = DEFAULT_LIMITS

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        root = self.url.rstrip("/")
        states: list[PageState] = []
        bodies: dict[str, Any] = {}
        unchanged = True
        for part in ("info", "filtering_terms", "datasets"):
            url = f"{root}/{part}"
            before = previous.get(url)
            try:
                response = client.get(url, accept="application/json")
            except FetchError as e:
                if part == "info":
                    yield Failure.of(e)
                    return
                if e.kind == "status" and e.status == 404:
                    continue  # optional endpoints
                yield Failure.of(e)
                return
            digest = response.body_hash
            states.append(PageState(url, response.validators, digest))
            if before is None or before.body_hash != digest:
                unchanged = False
            try:
                bodies[part] = load_json(response.body, source=url, limits=self.limits)
            except InputError as e:
                yield Failure(url, "parse", f"not usable JSON: {e.message}{_at(e)}")
                return
        if unchanged and previous:
            yield Document(self.url, None, states, members=(self.url,))
            return
        try:
            graph = describe(self.url, bodies)
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            yield Failure(f"{root}/info", "parse", f"not a Beacon v2 info response ({e!r})")
            return
        try:
            check_writable(graph, f"{root}/info")
        except InputError as e:
            yield Failure(f"{root}/info", "parse", e.message)
            return
        yield Document(
            self.url, graph, states, extra_roots=((self.url, "DataService"),), members=(self.url,)
        )


def _at(error: InputError) -> str:
    loc = error.location
    if loc is None or loc.line is None:
        return ""
    return f" (line {loc.line}" + (f", column {loc.column})" if loc.column else ")")


def describe(url: str, bodies: Mapping[str, Any]) -> Graph:
    """The ``dcat:DataService`` description of a Beacon from its JSON answers."""
    info = bodies["info"]
    response = info.get("response", info)
    service = URIRef(url)
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("gdcat", GDCAT)
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, service))
    g.add((service, DCTERMS.conformsTo, BEACON_V2))
    g.add((service, DCAT.endpointDescription, URIRef(f"{url.rstrip('/')}/info")))
    if response.get("id"):
        g.add((service, DCTERMS.identifier, Literal(str(response["id"]))))
    g.add((service, DCTERMS.title, Literal(str(response.get("name") or response["id"]), lang="en")))
    if response.get("description"):
        g.add((service, DCTERMS.description, Literal(str(response["description"]), lang="en")))
    organization = response.get("organization")
    if isinstance(organization, dict) and organization.get("name"):
        org_id = str(organization.get("id") or organization["name"])
        digest = hashlib.sha256(org_id.encode()).hexdigest()[:16]
        agent = URIRef(str(organization.get("welcomeUrl") or f"{url.rstrip('/')}#org-{digest}"))
        g.add((service, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        # Beacon info is written in English (the specification's examples and field docs)
        g.add((agent, FOAF.name, Literal(str(organization["name"]), lang="en")))
    for term in _filtering_terms(bodies.get("filtering_terms")):
        iri = expand_curie(term)
        if iri is not None:
            g.add((service, FILTERING_TERM, URIRef(iri)))
        else:
            g.add((service, FILTERING_TERM_CODE, Literal(term)))
    for identifier in _collections(bodies.get("datasets")):
        g.add((service, SERVES_IDENTIFIER, Literal(identifier)))
    return g


def _filtering_terms(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    response = body.get("response", body)
    terms = response.get("filteringTerms", []) if isinstance(response, dict) else []
    return sorted({str(t["id"]) for t in terms if isinstance(t, dict) and t.get("id")})


def _collections(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    response = body.get("response", body)
    items = response.get("collections", []) if isinstance(response, dict) else []
    return sorted({str(c["id"]) for c in items if isinstance(c, dict) and c.get("id")})
