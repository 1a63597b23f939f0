"""Profiles: names, levels, and the load-time workarounds for upstream shape defects."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

from gdcat.errors import ProfileError
from gdcat.paths import shapes_dir
from gdcat.validate import PROFILE_NAMES, get_profile
from gdcat.validate.profiles import remove_pathless_property_shapes
from gdcat.vocab import ACCESS_RIGHT, PREFIXES

SH = Namespace(PREFIXES["sh"])
DCAT = Namespace(PREFIXES["dcat"])
DCT = Namespace(PREFIXES["dct"])
FOAF = Namespace(PREFIXES["foaf"])


def test_profile_names() -> None:
    assert set(PROFILE_NAMES) == {
        "gdcat",
        "dcat-ap-3",
        "healthdcat-ap-r8",
        "healthdcat-ap-r8-public",
        "healthdcat-ap-r8-restricted",
        "healthdcat-ap-r8-non-public",
        "gdi",
        "fdp",
    }


def test_unknown_profile_lists_the_valid_names() -> None:
    with pytest.raises(ProfileError) as caught:
        get_profile("healthdcat")
    for name in PROFILE_NAMES:
        assert name in str(caught.value)


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_profile_loads(name: str) -> None:
    profile = get_profile(name)
    for level in profile.level_names:
        graph = profile.shapes_graph(level)
        assert len(graph) > 100
        # pySHACL refuses property shapes without a path: none may be left.
        assert all((ps, SH.path, None) in graph for ps in graph.objects(None, SH.property))


def test_shapes_are_parsed_once_and_shared_between_aliases() -> None:
    auto = get_profile("healthdcat-ap-r8").shapes_graph("PUBLIC")
    assert get_profile("healthdcat-ap-r8").shapes_graph("PUBLIC") is auto
    assert get_profile("healthdcat-ap-r8-public").shapes_graph() is auto


def test_level_is_chosen_from_access_rights() -> None:
    profile = get_profile("healthdcat-ap-r8")
    graph = Graph()
    dataset = URIRef("https://example.org/d")
    assert profile.level_for(graph, dataset) == "PUBLIC"  # none given: default level
    for level in ("PUBLIC", "RESTRICTED", "NON_PUBLIC"):
        graph.set((dataset, DCT.accessRights, ACCESS_RIGHT[level]))
        assert profile.level_for(graph, dataset) == level
    graph.set((dataset, DCT.accessRights, ACCESS_RIGHT.CONFIDENTIAL))
    assert profile.level_for(graph, dataset) == "PUBLIC"
    explicit = get_profile("healthdcat-ap-r8-non-public")
    assert explicit.level_for(graph, dataset) == "NON_PUBLIC"


def test_non_public_level_has_its_extra_requirements_and_the_sparql_workaround() -> None:
    graph = get_profile("healthdcat-ap-r8").shapes_graph("NON_PUBLIC")
    required = {
        graph.value(ps, SH.path)
        for ps in graph.objects(None, SH.property)
        if graph.value(ps, SH.minCount) is not None
    }
    assert DCT.provenance in required
    assert any(True for _ in graph.subject_objects(SH.sparql))
    public = get_profile("healthdcat-ap-r8").shapes_graph("PUBLIC")
    assert not any(
        public.value(ps, SH.path) == DCT.provenance and public.value(ps, SH.minCount) is not None
        for ps in public.objects(None, SH.property)
    )


def test_gdi_identifier_piece_loads_despite_its_missing_prefix() -> None:
    graph = get_profile("gdi").shapes_graph()
    identifier_shape = URIRef("http://data.gdi.eu/core/p2/IdentifierShape")
    paths = {graph.value(p, SH.path) for p in graph.objects(identifier_shape, SH.property)}
    assert FOAF.name in paths


def test_fdp_resource_shape_reaches_datasets_through_inheritance() -> None:
    graph = get_profile("fdp").shapes_graph()
    targets = set(graph.objects(URIRef("http://fairdatapoint.org/ResourceShape"), SH.targetClass))
    assert {DCAT.Resource, DCAT.Dataset, DCAT.Catalog, DCAT.Distribution} <= targets


def test_remove_pathless_property_shapes_drops_the_whole_tree() -> None:
    graph = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] ,
                        [ sh:or ( [ sh:property [ sh:path ex:q ; sh:hasValue true ] ] ) ] .
        """,
        format="turtle",
    )
    assert remove_pathless_property_shapes(graph) == 1
    assert len(list(graph.objects(None, SH.property))) == 1
    assert (None, SH["or"], None) not in graph


def test_vendored_shapes_files_are_listed_in_sources() -> None:
    sources = (shapes_dir() / "SOURCES.md").read_text(encoding="utf-8")
    for folder in ("dcat-ap-3", "healthdcat-ap-r8", "gdi", "fdp"):
        for path in sorted((shapes_dir() / folder).rglob("*.ttl")):
            assert path.name in sources, f"{path} has no row in shapes/SOURCES.md"


def test_generated_profile_without_shapes_is_a_profile_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shapes").mkdir()
    monkeypatch.setenv("GDCAT_HOME", str(tmp_path))
    with pytest.raises(ProfileError, match="no shapes"):
        get_profile("gdcat").shapes_graph()
