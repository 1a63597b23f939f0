"""FAIR Signposting (https://signposting.org/FAIR/, level 1 and level 2): the typed links of a
dataset's landing page, sent as ``Link`` headers (RFC 8288) with every form of the page (HTML
and RDF, ``GET`` and ``HEAD``, ``200`` and ``304``) and served as a link set (RFC 9264) at
``{page}/linkset``.

| relation | target |
|---|---|
| ``cite-as`` | the dataset's IRI, as its node published it (its persistent identifier) |
| ``describedby`` | each RDF form of the page (``?format=ttl`` …), with its ``type`` (and the |
| | application profile as ``profile`` when the catalogue record names one) |
| ``type`` | ``schema:Dataset`` (``schema:WebAPI`` for a data service) and ``schema:AboutPage`` |
| ``license`` | each licence (the dataset's, else its distributions', for a series its releases') |
| ``item`` | each download (``dcat:downloadURL``), with its media type where the record names one |
| ``collection`` | gdcat's page of the node's catalogue, and of each series the dataset is in |
| ``author`` | each ``dct:creator`` with a web IRI |
| ``linkset`` | the link set itself, as ``application/linkset+json`` and ``application/linkset``; |
| | it also says that each ``describedby`` target ``describes`` the page and each ``item`` |
| | has the page as its ``collection`` (level 2) |

The links are made here, once per request, from the record graph: the route serves them in
every form (:func:`gdcat.api.resources.answer` writes them), and the link set route
serves the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from gdcat.rdf import access

SCHEMA = "https://schema.org/"
LINKSET_JSON = "application/linkset+json"
LINKSET = "application/linkset"

#: The RDF forms of a landing page: (media type, ``?format=`` value).
DESCRIBED_BY: tuple[tuple[str, str], ...] = (
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/n-triples", "nt"),
)


@dataclass(frozen=True)
class Link:
    """One typed link: its target, relation and (where known) the target's media type."""

    target: str
    rel: str
    type: str | None = None
    #: the profile the target conforms to (``describedby``: the application profile)
    profile: str | None = None

    def header_value(self, anchor: str | None = None) -> str:
        """The link as RFC 8288 writes it (``anchor``: in a link set's text form)."""
        out = f"<{self.target}>"
        if anchor is not None:
            out += f'; anchor="{anchor}"'
        out += f'; rel="{self.rel}"'
        if self.type is not None:
            out += f'; type="{self.type}"'
        if self.profile is not None:
            out += f'; profile="{self.profile}"'
        return out


def signposts(
    graph: access.Described,
    dataset: str,
    *,
    page_url: str,
    catalogue_url: str,
    series_pages: Sequence[str] = (),
    release_licences: Sequence[str] = (),
    profile: str | None = None,
) -> list[Link]:
    """The FAIR Signposting links of the landing page ``page_url`` of ``dataset``
    (``profile``: the application profile the record conforms to, when its catalogue record
    names one, on the ``describedby`` links)."""
    subject = URIRef(dataset)
    is_service = access.is_data_service(graph, subject)
    links = [Link(dataset, "cite-as")]
    links += [
        Link(f"{page_url}?format={name}", "describedby", media, profile)
        for media, name in DESCRIBED_BY
    ]
    links.append(Link(SCHEMA + ("WebAPI" if is_service else "Dataset"), "type"))
    links.append(Link(SCHEMA + "AboutPage", "type"))
    licences = access.licences(graph, subject) or sorted(set(release_licences))
    links += [Link(licence, "license") for licence in licences]
    links += [Link(d.url, "item", d.media_type) for d in access.downloads(graph, subject)]
    links.append(Link(catalogue_url, "collection"))
    links += [Link(page, "collection") for page in series_pages]
    links += [Link(author, "author") for author in access.authors(graph, subject)]
    links.append(Link(f"{page_url}/linkset", "linkset", LINKSET_JSON))
    links.append(Link(f"{page_url}/linkset", "linkset", LINKSET))
    return _unique(links)


def _unique(links: list[Link]) -> list[Link]:
    return list(dict.fromkeys(links))


def link_header(links: Sequence[Link]) -> str:
    """The value of a ``Link`` header carrying ``links``."""
    return ", ".join(link.header_value() for link in links)


def linkset_json(anchor: str, links: Sequence[Link]) -> dict[str, object]:
    """``links`` as an RFC 9264 link set in JSON (``application/linkset+json``), the links to
    the link set itself left out; as FAIR Signposting level 2 asks, each metadata resource
    (``describedby``) ``describes`` the landing page and each content resource (``item``)
    names it as its ``collection``."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for link in links:
        if link.rel == "linkset":
            continue
        target = {"href": link.target}
        if link.type is not None:
            target["type"] = link.type
        if link.profile is not None:
            target["profile"] = link.profile
        grouped.setdefault(link.rel, []).append(target)
    contexts: list[dict[str, object]] = [{"anchor": anchor, **grouped}]
    back = {"describedby": "describes", "item": "collection"}
    for link in links:
        if link.rel in back:
            contexts.append({"anchor": link.target, back[link.rel]: [{"href": anchor}]})
    return {"linkset": contexts}


def linkset_text(anchor: str, links: Sequence[Link]) -> str:
    """``links`` as an RFC 9264 link set in its native form (``application/linkset``), with
    the same links back to the landing page as :func:`linkset_json`."""
    kept = [link.header_value(anchor) for link in links if link.rel != "linkset"]
    back = {"describedby": "describes", "item": "collection"}
    kept += [
        Link(anchor, back[link.rel]).header_value(link.target) for link in links if link.rel in back
    ]
    return ",\n".join(kept) + "\n"
