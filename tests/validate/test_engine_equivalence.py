"""gdcat's validation engine gives exactly pySHACL's results (the proof of equality).

Every input of the snapshot test (``result_snapshots.py``: the model's examples, the
third-party corpus, demo and scale records), every defect of the demo's defect generator
applied to scale records, and scale records broken at random (values of the wrong kind,
ill-typed literals, unknown properties, duplicate languages, missing and foreign types...) are
cut into batches as the validator cuts them; each batch is validated by both engines
(:func:`gdcat.validate.runner.validate_batch` with ``engine="gdcat"`` and ``"pyshacl"``) under
each of the five profiles, and the results must be the same, one for one: focus node, path,
constraint component, source shape, severity, value, message, parameters, nested details.

Then shapes the engine cannot follow (a shape that reaches itself, a custom constraint
component) and components it leaves to pySHACL (``sh:and``, ``sh:not``, ``sh:xone``,
``sh:zeroOrMorePath``, ``sh:qualifiedValueShape``, ``sh:lessThan``...) are checked the same way
on small shapes graphs: never skipped, always pySHACL's results.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD
from result_snapshots import PROFILES, demo_graphs, input_files

from gdcat.errors import GdcatError
from gdcat.validate import Validator
from gdcat.validate.compiled import CompiledShapes, quiet_pyshacl
from gdcat.validate.engine import Engine, Index
from gdcat.validate.runner import (
    _add_stubs,
    _fast_parameter_lookup,
    _raw_found,
    _raw_results,
    validate_batch,
)


def _scale_graphs(count: int, seed: int) -> list[Graph]:
    from gdcat.demo import iter_record_documents
    from gdcat.rdf import parse_bytes, split_records

    out: list[Graph] = []
    for text in iter_record_documents(count, seed=seed):
        out.extend(r.graph for r in split_records(parse_bytes(text.encode(), "turtle")))
    return out


def _datasets(graph: Graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef))


def _with_defects() -> Iterator[Graph]:
    """Each defect of the demo's generator applied to scale records."""
    from gdcat.demo.defects import DEFECTS
    from gdcat.demo.turtle import TripleList

    for n, defect in enumerate(DEFECTS):
        for graph in _scale_graphs(1, seed=100 + n):
            triples = TripleList()
            for t in graph:
                triples.add(t)  # type: ignore[arg-type]
            for ds in _datasets(graph):
                defect.apply(triples, ds)
            broken = Graph()
            for t in triples:
                broken.add(t)
            yield broken


def _mutations(rng: random.Random, graph: Graph) -> Graph:
    """``graph`` broken in a few random ways a harvested record can be broken."""
    triples = list(graph)
    out = Graph()
    for t in triples:
        out.add(t)
    subjects = sorted({s for s, _, _ in triples}, key=str)
    for _ in range(rng.randint(1, 4)):
        s, p, o = rng.choice(triples)
        kind = rng.randrange(9)
        if kind == 0 and isinstance(o, URIRef):  # an IRI written as text
            out.remove((s, p, o))
            out.add((s, p, Literal(str(o))))
        elif kind == 1 and isinstance(o, Literal):  # text where a node belongs
            out.remove((s, p, o))
            out.add((s, p, URIRef(f"https://example.org/thing/{rng.randrange(5)}")))
        elif kind == 2 and isinstance(o, Literal) and o.datatype is not None:  # ill-typed
            out.remove((s, p, o))
            out.add((s, p, Literal("not a value", datatype=o.datatype)))
        elif kind == 3:  # a property no shape knows
            out.add((s, URIRef("https://example.org/vocab/unknown"), Literal("x")))
        elif kind == 4:  # the same language twice
            out.add((s, p, Literal("one", lang="en")))
            out.add((s, p, Literal("two", lang="EN")))
        elif kind == 5:  # a value dropped
            out.remove((s, p, o))
        elif kind == 6:  # a blank node where an IRI or text belongs
            out.remove((s, p, o))
            out.add((s, p, BNode()))
        elif kind == 7:  # a node of the wrong class
            node = rng.choice(subjects)
            out.remove((node, RDF.type, None))
            out.add((node, RDF.type, URIRef("https://example.org/vocab/Other")))
        elif kind == 8:  # numbers out of range, of another type
            out.add((s, p, Literal(-3, datatype=XSD.integer)))
            out.add((s, DCTERMS.issued, Literal("2020-13-45", datatype=XSD.date)))
    if rng.randrange(3) == 0:  # a dataset's title twice in one language, a date as text
        for ds in _datasets(graph):
            out.add((ds, DCTERMS.title, Literal("Another title", lang="en")))
            out.add((ds, DCTERMS.issued, Literal("last spring")))
            out.add((ds, DCTERMS.modified, Literal(2020)))
    return out


def _randomly_broken() -> Iterator[Graph]:
    rng = random.Random(20261207)
    for graph in _scale_graphs(30, seed=11):
        yield _mutations(rng, graph)


@cache
def _all_graphs() -> tuple[Graph, ...]:
    from gdcat.ingest import records_from_paths

    records, _, _ = records_from_paths(input_files(), max_bytes=10_000_000)
    graphs = [r.graph for r in records]
    graphs.extend(g for _, g in demo_graphs())
    graphs.extend(_with_defects())
    graphs.extend(_randomly_broken())
    return tuple(graphs)


def _batches(profile: str, graphs: tuple[Graph, ...]) -> list[tuple[str, list[Any]]]:
    validator = Validator(profile, workers=1)
    units = []
    for index, graph in enumerate(graphs):
        units.extend(validator._units(index, graph))
    _add_stubs(units)
    return [(b.level, b.triples()) for b in validator._batches(units, False)]


def _components(raws: Iterable[tuple[Any, ...]]) -> set[str]:
    """The constraint components of these results and of their details."""
    out: set[str] = set()
    for key in raws:
        out.add(key[3])
        out |= _components(key[8])
    return out


@pytest.mark.parametrize("profile", PROFILES)
def test_both_engines_give_the_same_results(profile: str) -> None:
    ours: Counter[tuple[Any, ...]] = Counter()
    theirs: Counter[tuple[Any, ...]] = Counter()
    for level, triples in _batches(profile, _all_graphs()):
        gdcat = Counter(r.key() for r in validate_batch(profile, level, triples, "gdcat"))
        pyshacl = Counter(r.key() for r in validate_batch(profile, level, triples, "pyshacl"))
        assert gdcat - pyshacl == Counter(), f"only the gdcat engine reports these ({level})"
        assert pyshacl - gdcat == Counter(), f"only pySHACL reports these ({level})"
        ours.update(gdcat)
        theirs.update(pyshacl)
    assert ours == theirs
    # The inputs reach the constraints each profile is built from (the test checks something).
    expected = {
        "gdcat": {"MinCount", "MaxCount", "Datatype", "NodeKind", "Class", "In"}
        | {"Node", "Or", "HasValue", "Pattern", "MinInclusive", "SPARQL"},
        "dcat-ap-3": {"MinCount", "MaxCount", "NodeKind", "Class", "Node", "Or", "HasValue"},
        "healthdcat-ap-r8": {"MinCount", "MaxCount", "Class", "Node", "HasValue", "SPARQL"}
        | {"NodeKind", "Datatype"},
        "gdi": {"MinCount", "NodeKind", "In", "UniqueLang", "Datatype"},
        "fdp": {"MinCount", "MaxCount", "NodeKind", "Datatype"},
    }[profile]
    assert expected <= _components(ours), expected - _components(ours)


def test_reports_are_the_same_with_either_engine_setting() -> None:
    from gdcat.settings import Settings

    graphs = list(_all_graphs())[-24:]
    reports = {}
    for engine in ("gdcat", "pyshacl"):
        settings = Settings.model_validate({"validation_engine": engine})
        with Validator("healthdcat-ap-r8", workers=1, settings=settings) as validator:
            reports[engine] = [r.to_json() for r in validator.validate_many(graphs)]
    assert reports["gdcat"] == reports["pyshacl"]
    assert any(not r["conforms"] for r in reports["gdcat"])


def test_the_setting_chooses_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from gdcat.settings import Settings
    from gdcat.validate import runner

    def refuse(*args: object) -> None:
        raise AssertionError("gdcat's engine was asked")

    monkeypatch.setattr(runner, "native_engine", refuse)
    graph = list(_all_graphs())[-1]
    settings = Settings.model_validate({"validation_engine": "pyshacl"})
    Validator("gdcat", workers=1, settings=settings).validate(graph)
    with pytest.raises(GdcatError, match="gdcat's engine was asked"):
        Validator("gdcat", workers=1).validate(graph)


# --- shapes the engine leaves to pySHACL ----------------------------------------------

_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""

_DATA = (
    _PREFIXES
    + """
ex:a a ex:Thing ; ex:name "A"@en, "B"@en ; ex:next ex:b ; ex:size 3 ; ex:max 2 ;
    ex:part [ a ex:Part ; ex:size 1 ] , [ a ex:Part ; ex:size "x" ] .
ex:b a ex:Thing ; ex:next ex:c ; ex:size "big" .
ex:c a ex:Thing ; ex:name "C" ; ex:next ex:a .
"""
)

#: Shapes whose components the engine hands to pySHACL's own classes.
_DELEGATED = (
    _PREFIXES
    + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:and ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:size ; sh:datatype xsd:integer ] ) ;
    sh:not [ sh:path ex:next ; sh:hasValue ex:c ] ;
    sh:xone ( [ sh:path ex:name ; sh:maxCount 1 ] [ sh:path ex:size ; sh:maxCount 1 ] ) ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:minCount 4 ; sh:nodeKind sh:IRI ] ,
        [ sh:path ( ex:next ex:next ) ; sh:class ex:Part ] ,
        [ sh:path ex:size ; sh:lessThan ex:max ; sh:maxInclusive 2 ; sh:minLength 2 ] ,
        [ sh:path ex:part ; sh:qualifiedValueShape [ sh:path ex:size ; sh:datatype xsd:integer ] ;
          sh:qualifiedMinCount 2 ] ,
        [ sh:path ex:name ; sh:languageIn ( "de" ) ; sh:maxLength 1 ] .
"""
)

#: A shape that reaches itself: the engine leaves the whole shapes graph to pySHACL.
_RECURSIVE = (
    _PREFIXES
    + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:next ; sh:node ex:ThingShape ] ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:integer ] .
"""
)

#: A custom constraint component (SPARQL-based): pySHACL for the whole shapes graph.
_CUSTOM = (
    _PREFIXES
    + """
ex:SizeComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:atLeast ] ;
    sh:propertyValidator [ a sh:SPARQLSelectValidator ;
        sh:select \"\"\"SELECT $this ?value WHERE {
            $this $PATH ?value . FILTER (!isNumeric(?value) || ?value < $atLeast) }\"\"\" ] .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; ex:atLeast 3 ] .
"""
)


def _both(shapes_text: str) -> tuple[Engine, Counter[Any], Counter[Any]]:
    shapes = Graph().parse(data=shapes_text, format="turtle")
    data = Graph().parse(data=_DATA, format="turtle")
    compiled = CompiledShapes(shapes)
    engine = Engine(compiled)
    with _fast_parameter_lookup():
        pyshacl = Counter(r.key() for r in _raw_results(compiled.run(data), compiled, data))
        gdcat: Counter[Any] = Counter()
        if engine.supported:
            index = Index(data)
            with quiet_pyshacl():
                gdcat.update(_raw_found(f, compiled, index).key() for f in engine.run(index))
    return engine, gdcat, pyshacl


def test_components_left_to_pyshacl_give_pyshacls_results() -> None:
    engine, gdcat, pyshacl = _both(_DELEGATED)
    assert engine.supported
    assert gdcat == pyshacl
    assert {"And", "Not", "Xone", "LessThan", "MaxInclusive", "MinLength", "LanguageIn"} <= {
        k[3] for k in pyshacl
    }
    assert {"QualifiedMinCount", "MinCount", "Class"} <= {k[3] for k in pyshacl}


@pytest.mark.parametrize("shapes", [_RECURSIVE, _CUSTOM], ids=["recursive", "custom-component"])
def test_shapes_the_engine_cannot_follow_go_to_pyshacl_whole(shapes: str) -> None:
    engine, _, pyshacl = _both(shapes)
    assert not engine.supported
    assert pyshacl  # pySHACL finds something to say: the fallback is not a silent pass


def test_the_graph_answered_from_the_index_is_the_data_graph() -> None:
    """pySHACL's components and rdflib's SPARQL engine read the batch through an rdflib graph
    answered from the engine's index: every pattern gives what the data graph gives."""
    data = Graph().parse(data=_DATA, format="turtle")
    index = Index(list(data) + list(data)[:5])  # duplicates count once, as in a graph
    graph = index.graph
    assert len(graph) == len(data)
    terms: list[Any] = [None, *sorted({t for triple in data for t in triple}, key=repr)]
    for s in terms:
        for p in terms:
            for o in terms:
                assert set(graph.triples((s, p, o))) == set(data.triples((s, p, o)))
    query = (
        "SELECT ?s ?n WHERE { ?s a <https://example.org/Thing> "
        "OPTIONAL { ?s <https://example.org/name> ?n } }"
    )
    assert set(graph.query(query)) == set(data.query(query))
    assert dict(graph.namespaces()) == dict(Graph().namespaces())


# --- records given as N-Triples text (a harvest's) -----------------------------------------


def _as_harvested(graphs: Iterable[Graph]) -> list[Any]:
    """Each graph as a harvest hands its records to the validator: the document parsed,
    normalised, split and written as N-Triples by :func:`parse_page` (what a parsing process
    does), then :func:`record_of` (what the harvester does)."""
    from gdcat.harvest.parsing import parse_page, record_of
    from gdcat.rdf.formats import get_format
    from gdcat.rdf.parse import DEFAULT_LIMITS

    records = []
    for n, graph in enumerate(graphs):
        url = f"https://node.example.org/page/{n}"
        body = graph.serialize(format="nt", encoding="utf-8")
        page = parse_page(body, get_format("ntriples"), url, url, 10**8, DEFAULT_LIMITS)
        assert page.error is None
        records.extend(record_of(p, url) for p in page.records)
    return records


def _shared_and_series() -> list[Graph]:
    """Records that share a publisher IRI described differently (never one batch), and
    releases of a series given in another record of the same call (type stubs)."""
    text = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix foaf: <http://xmlns.com/foaf/0.1/> .
    <https://n.example.org/series/1> a dcat:DatasetSeries ; dct:title "A series"@EN ;
        dct:publisher <https://n.example.org/org/1> .
    <https://n.example.org/org/1> a foaf:Agent ; foaf:name "One"@en .
    <https://n.example.org/ds/%d> a dcat:Dataset ; dct:title "Release %d"@en ;
        dcat:inSeries <https://n.example.org/series/1> ;
        dct:accessRights <http://publications.europa.eu/resource/authority/access-right/%s> ;
        dct:publisher <https://n.example.org/org/1> .
    """
    graphs = []
    for i, (name, access) in enumerate([("One", "PUBLIC"), ("Uno", "RESTRICTED"), ("1", "X")]):
        graph = Graph().parse(data=text % (i, i, access), format="turtle")
        graph.set((URIRef("https://n.example.org/org/1"), URIRef(f"{FOAF}name"), Literal(name)))
        graphs.append(graph)
    return graphs


def _comparable(report: Any) -> list[tuple[Any, ...]]:
    """A report's results, blank nodes named by what reaches them, not by their labels
    (the two ways read the same text into different blank nodes)."""
    out = []
    for r in report.results:
        fields = r.to_dict()
        for name in ("dataset", "focus_node", "value"):
            if isinstance(fields.get(name), str) and fields[name].startswith("_:"):
                fields[name] = "_:"
        out.append(tuple(sorted((k, repr(v)) for k, v in fields.items())))
    return sorted(out)


@pytest.mark.parametrize("profile", ["gdcat", "healthdcat-ap-r8"])
def test_records_given_as_text_get_the_reports_of_their_graphs(profile: str) -> None:
    from gdcat.rdf.ntriples import ntriples_graph

    graphs = [*_all_graphs(), *_shared_and_series()]
    # a record whose dataset is a blank node has no IRI to store it under (a harvest
    # rejects it): see the next test
    records = [r for r in _as_harvested(graphs) if r.ntriples.startswith(f"<{r.iri}> ")]
    assert len(records) > 150
    with Validator(profile, workers=1) as validator:
        from_text = validator.validate_many(records)
        # the way before: an rdflib graph of each record, built from the same text
        from_graphs = validator.validate_many([ntriples_graph(r.ntriples) for r in records])
    assert len(from_text) == len(from_graphs) == len(records)
    for record, text, graph in zip(records, from_text, from_graphs, strict=True):
        assert text.conforms == graph.conforms, record.iri
        assert text.datasets == graph.datasets == (record.iri,)
        assert _comparable(text) == _comparable(graph), record.iri
    # nothing read the records' graphs: they went to the validator as text
    assert not any(r.graph.store._text is None for r in records)
    assert any(not r.conforms for r in from_text)


def test_records_given_as_text_in_worker_processes_get_the_same_reports() -> None:
    records = _as_harvested([*_all_graphs()[-40:], *_shared_and_series()])
    with Validator("gdcat", workers=1) as here, Validator("gdcat", workers=2) as there:
        assert [_comparable(r) for r in here.validate_many(records)] == [
            _comparable(r) for r in there.validate_many(records)
        ]


def test_a_call_with_a_record_the_text_does_not_cut_goes_the_graph_way() -> None:
    from gdcat.rdf.ntriples import ntriples_graph

    records = _as_harvested([*_all_graphs()[-6:], *_shared_and_series()])
    blank = next(r for r in _as_harvested(_all_graphs()) if not r.ntriples.startswith("<"))
    records.insert(2, blank)
    with Validator("gdcat", workers=1) as validator:
        mixed = validator.validate_many(records)
        from_graphs = validator.validate_many([ntriples_graph(r.ntriples) for r in records])
    assert [_comparable(r) for r in mixed] == [_comparable(r) for r in from_graphs]
    assert mixed[2].datasets[0].startswith("_:")


def _canonical_unit(unit: Any) -> Any:
    """A unit with its blank nodes numbered in the order its triples name them."""
    if unit is None:
        return None
    names: dict[BNode, str] = {}

    def name(term: Any) -> Any:
        if isinstance(term, BNode):
            return ("_", names.setdefault(term, str(len(names))))
        return (
            type(term).__name__,
            str(term),
            getattr(term, "language", None),
            getattr(term, "datatype", None),
        )

    triples = [tuple(name(t) for t in triple) for triple in unit.triples]
    return (
        unit.source,
        unit.dataset,
        unit.level,
        [name(r) for r in unit.roots],
        triples,
        sorted(name(n) for n in unit.owned),
    )


@pytest.mark.parametrize("profile", ["gdcat", "healthdcat-ap-r8"])
def test_a_record_cut_on_its_text_is_the_record_cut_from_its_triples(profile: str) -> None:
    """:func:`_record_unit` compares the lines as text; the unit (triples in order, owned
    nodes, level) or its refusal is the one cut from the triples Oxigraph reads."""
    from gdcat.rdf.ntriples import _parsed_triples
    from gdcat.validate.profiles import get_profile
    from gdcat.validate.runner import _record_unit, _record_unit_of_triples

    graphs = [*_all_graphs(), *_shared_and_series()]
    records = _as_harvested(graphs)
    # texts a record is not one unit of: a second dataset, a catalogue, a triple the root
    # does not reach, no dataset at all
    extra = [
        (records[0].iri, records[0].ntriples + records[1].ntriples),
        (
            records[0].iri,
            records[0].ntriples + f"<{records[0].iri}> <{RDF.type}> <{DCAT.Catalog}> .\n",
        ),
        (records[0].iri, records[0].ntriples + '<https://e.org/x> <https://e.org/p> "x" .\n'),
        ("https://e.org/none", records[0].ntriples),
        (records[0].iri, records[0].ntriples + records[0].ntriples),  # every line twice
    ]
    profile_ = get_profile(profile)
    cut = 0
    for position, (iri, text) in enumerate([*((r.iri, r.ntriples) for r in records), *extra]):
        ours = _record_unit(position, iri, text, profile_)
        triples = list(dict.fromkeys(_parsed_triples(text)))
        theirs = _record_unit_of_triples(position, iri, triples, profile_)
        assert _canonical_unit(ours) == _canonical_unit(theirs), iri
        cut += ours is not None
    assert 150 < cut < len(records) + len(extra)
