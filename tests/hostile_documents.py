"""The hostile documents of issue 12, made in code (none is committed as a file: some are MBs).

Each :class:`Hostile` is a document, the format it claims to be, and the setting whose limit
(or the words of the refusal) a user must see named when gdcat refuses it. The parser tests,
the fuzz suite, the CLI corpus test and the acceptance tests against a real server all take
their inputs from :data:`CORPUS`.
"""

from __future__ import annotations

from dataclasses import dataclass

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT_NS = "http://purl.org/dc/terms/"
DCAT_NS = "http://www.w3.org/ns/dcat#"


def rdfxml_dataset(iri: str, title: str, doctype: str = "") -> bytes:
    """An RDF/XML dcat:Dataset with ``title`` (raw XML: entity references allowed)."""
    return (
        f'<?xml version="1.0"?>\n{doctype}'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:dct="{DCT_NS}" xmlns:dcat="{DCAT_NS}">\n'
        f'<dcat:Dataset rdf:about="{iri}"><dct:title xml:lang="en">{title}</dct:title>'
        "</dcat:Dataset>\n</rdf:RDF>\n"
    ).encode()


def billion_laughs(iri: str = "https://example.org/laughs", levels: int = 10) -> bytes:
    """Ten levels of entities, each ten references to the one before: 3 GB once expanded."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        entities.append(f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">')
    doctype = "<!DOCTYPE rdf:RDF [\n" + "\n".join(entities) + "\n]>\n"
    return rdfxml_dataset(iri, f"&lol{levels - 1};", doctype)


def quadratic_blowup(
    iri: str = "https://example.org/quadratic", size: int = 100_000, uses: int = 2_000
) -> bytes:
    """One 100 KB entity used 2,000 times: 200 MB from a 108 KB document."""
    doctype = f'<!DOCTYPE rdf:RDF [<!ENTITY a "{"a" * size}">]>\n'
    return rdfxml_dataset(iri, "&a;" * uses, doctype)


def nested_blank_nodes(levels: int = 1_000_000) -> bytes:
    """``:s :p [ :p [ :p [ ...`` 10^6 levels deep: 7 MB of Turtle."""
    return (
        b"@prefix : <http://example.org/> .\n:s :p "
        + b"[ :p " * levels
        + b":o"
        + b" ]" * levels
        + b" .\n"
    )


def deep_json_arrays(levels: int = 100_000) -> bytes:
    return b"[" * levels + b"]" * levels


def yaml_dataset(iri: str, title_yaml: str) -> bytes:
    return f"id: {iri}\ntitle: {title_yaml}\ndescription: A dataset.\n".encode()


def yaml_alias_bomb(iri: str = "https://example.org/aliases", levels: int = 12) -> bytes:
    """YAML's billion laughs: each anchor a list of ten aliases of the one before."""
    lines = [f"id: {iri}", 'x0: &x0 ["lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 10) + "]")
    lines.append(f"keyword: *x{levels - 1}")
    return ("\n".join(lines) + "\n").encode()


def deep_xml(levels: int = 100_000) -> bytes:
    """Nested ``rdf:parseType="Resource"`` properties: quadratic time in Oxigraph's parser."""
    open_tags = '<dct:relation rdf:parseType="Resource">' * levels
    close_tags = "</dct:relation>" * levels
    return (
        f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:dct="{DCT_NS}">'
        f'<rdf:Description rdf:about="https://example.org/deep">{open_tags}'
        f"<dct:title>x</dct:title>{close_tags}</rdf:Description></rdf:RDF>\n"
    ).encode()


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    #: short format name (gdcat.rdf.formats)
    fmt: str
    #: words the refusal must contain (a setting name, or what was refused)
    names: str
    #: the HTTP status a PUT of it must get
    status: int

    @property
    def extension(self) -> str:
        return {"rdfxml": ".rdf", "turtle": ".ttl", "jsonld": ".jsonld", "yaml": ".yaml"}[self.fmt]


def corpus(iri: str = "https://example.org/hostile") -> list[Hostile]:
    """Every hostile document, describing (where it describes anything) the dataset ``iri``."""
    return [
        Hostile("billion-laughs", billion_laughs(iri), "rdfxml", "max_xml_entity_expansion", 413),
        Hostile("quadratic", quadratic_blowup(iri), "rdfxml", "max_xml_entity_expansion", 413),
        Hostile(
            "entity-declarations",
            rdfxml_dataset(
                iri,
                "&e0;",
                "<!DOCTYPE rdf:RDF [\n"
                + "".join(f'<!ENTITY e{i} "x">\n' for i in range(500))
                + "]>\n",
            ),
            "rdfxml",
            "max_xml_entities",
            422,
        ),
        Hostile("deep-xml", deep_xml(), "rdfxml", "max_nesting_depth", 422),
        Hostile("nested-blank-nodes", nested_blank_nodes(), "turtle", "max_nesting_depth", 422),
        Hostile("deep-json-ld", deep_json_arrays(), "jsonld", "max_nesting_depth", 422),
        Hostile(
            "yaml-python-tag",
            yaml_dataset(iri, "!!python/name:os.system"),
            "yaml",
            "unsupported YAML tag",
            400,
        ),
        Hostile(
            "yaml-deep-flow",
            yaml_dataset(iri, "[" * 100_000 + "]" * 100_000),
            "yaml",
            "max_nesting_depth",
            422,
        ),
        Hostile("yaml-aliases", yaml_alias_bomb(iri), "yaml", "max_document_triples", 413),
        Hostile("yaml-nul", yaml_dataset(iri, '"a\\0b"'), "yaml", "U+0000", 400),
        Hostile(
            "turtle-nul",
            f'<{iri}> a <{DCAT_NS}Dataset> ; <{DCT_NS}title> "a\\u0000b"@en .\n'.encode(),
            "turtle",
            "U+0000",
            400,
        ),
    ]
