"""Data-use matching, case by case from the DUO definitions (release 2021-02-23)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from gdcat.paths import ontologies_dir
from gdcat.search import duo
from gdcat.search.duo import Category, DataUse, Purpose, evaluate
from gdcat.search.vocabulary import Vocabulary, load_vocabulary

DUO_OWL = ontologies_dir() / "vocabularies" / "duo" / "duo.owl"
OBO = "http://purl.obolibrary.org/obo/"
SHORTHAND = URIRef("http://www.geneontology.org/formats/oboInOwl#shorthand")
PERMISSION_ROOT = URIRef(OBO + "DUO_0000001")
MODIFIER_ROOT = URIRef(OBO + "DUO_0000017")

MONDO = OBO + "MONDO_"
CANCER = MONDO + "0004992"
BREAST_CANCER = MONDO + "0007254"
LUNG_CANCER = MONDO + "0008903"
LUNG_ADENOCARCINOMA = MONDO + "0005061"
CARDIOVASCULAR = MONDO + "0004995"
HCM = MONDO + "0005045"


def term(shorthand: str) -> str:
    return duo.TERMS_BY_SHORTHAND[shorthand].iri


@pytest.fixture(scope="module")
def owl() -> Graph:
    return Graph().parse(DUO_OWL, format="xml")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def ask(
    vocabulary: Vocabulary,
    permission: str | None,
    *modifiers: str,
    diseases: tuple[str, ...] = (),
    purpose: Purpose,
) -> duo.Verdict:
    use = DataUse(
        (term(permission),) if permission else (),
        tuple(term(m) for m in modifiers),
        diseases,
    )
    return evaluate(use, purpose, vocabulary.is_narrower_or_same)


# -- the term table is DUO's ---------------------------------------------------------------


def _ancestors(owl: Graph, node: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    todo = [node]
    while todo:
        for parent in owl.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def test_every_term_gdcat_knows_has_duos_label_shorthand_and_kind(owl: Graph) -> None:
    for known in duo.TERMS:
        iri = URIRef(known.iri)
        assert str(owl.value(iri, RDFS.label)) == known.label, known.shorthand
        assert str(owl.value(iri, SHORTHAND)) == known.shorthand
        root = PERMISSION_ROOT if known.kind == "permission" else MODIFIER_ROOT
        assert root in _ancestors(owl, iri), f"{known.shorthand} is not a {known.kind}"


def test_every_current_duo_permission_and_modifier_is_known(owl: Graph) -> None:
    obsolete = URIRef("http://www.geneontology.org/formats/oboInOwl#ObsoleteClass")
    checked = 0
    for node in set(owl.subjects(RDFS.subClassOf, None)):
        if not isinstance(node, URIRef) or not str(node).startswith(OBO + "DUO_"):
            continue
        ancestors = _ancestors(owl, node)
        if obsolete in ancestors or node in (PERMISSION_ROOT, MODIFIER_ROOT):
            continue
        if PERMISSION_ROOT in ancestors or MODIFIER_ROOT in ancestors:
            assert str(node) in duo.TERMS_BY_IRI, f"{node} ({owl.value(node, RDFS.label)})"
            checked += 1
    assert checked == len(duo.TERMS)


def test_the_purpose_hierarchy_is_duos_ds_under_hmb_under_gru(owl: Graph) -> None:
    ds, hmb, gru = (URIRef(c.value) for c in (Category.DS, Category.HMB, Category.GRU))
    assert hmb in _ancestors(owl, ds) and gru in _ancestors(owl, ds)
    assert gru in _ancestors(owl, hmb)
    # POA and NRES stand beside GRU: what they permit follows from their definitions.
    poa = URIRef(Category.POA.value)
    assert _ancestors(owl, poa) & {ds, hmb, gru} == set()


# -- permissions ---------------------------------------------------------------------------


def test_a_gru_dataset_permits_a_disease_specific_study(vocabulary: Vocabulary) -> None:
    verdict = ask(vocabulary, "GRU", purpose=Purpose(Category.DS, (BREAST_CANCER,)))
    assert verdict.permitted and verdict.reasons == ()


def test_gru_permits_any_research_purpose_ancestry_included(vocabulary: Vocabulary) -> None:
    for category in Category:
        diseases = (CANCER,) if category is Category.DS else ()
        assert ask(vocabulary, "GRU", purpose=Purpose(category, diseases)).permitted


def test_hmb_permits_health_research_but_not_ancestry_nor_general_research(
    vocabulary: Vocabulary,
) -> None:
    assert ask(vocabulary, "HMB", purpose=Purpose(Category.HMB)).permitted
    assert ask(vocabulary, "HMB", purpose=Purpose(Category.DS, (HCM,))).permitted
    refused = ask(vocabulary, "HMB", purpose=Purpose(Category.POA))
    assert not refused.permitted and "POA" in refused.reasons[0]
    assert not ask(vocabulary, "HMB", purpose=Purpose(Category.GRU)).permitted


def test_a_ds_dataset_for_cancer_refuses_a_cardiovascular_study(vocabulary: Vocabulary) -> None:
    verdict = ask(
        vocabulary, "DS", diseases=(CANCER,), purpose=Purpose(Category.DS, (CARDIOVASCULAR,))
    )
    assert not verdict.permitted
    assert CARDIOVASCULAR in verdict.reasons[0]


def test_ds_permits_a_study_of_its_disease_or_a_narrower_one(vocabulary: Vocabulary) -> None:
    for study in (CANCER, BREAST_CANCER, LUNG_ADENOCARCINOMA):
        purpose = Purpose(Category.DS, (study,))
        assert ask(vocabulary, "DS", diseases=(CANCER,), purpose=purpose).permitted, study
    # lung adenocarcinoma is under lung cancer, which is under cancer: two levels down
    purpose = Purpose(Category.DS, (LUNG_ADENOCARCINOMA,))
    assert ask(vocabulary, "DS", diseases=(LUNG_CANCER,), purpose=purpose).permitted


def test_ds_refuses_a_broader_disease_than_its_own(vocabulary: Vocabulary) -> None:
    purpose = Purpose(Category.DS, (CANCER,))
    assert not ask(vocabulary, "DS", diseases=(BREAST_CANCER,), purpose=purpose).permitted


def test_every_disease_of_a_study_must_fall_under_the_datasets(vocabulary: Vocabulary) -> None:
    both = Purpose(Category.DS, (BREAST_CANCER, HCM))
    assert not ask(vocabulary, "DS", diseases=(CANCER,), purpose=both).permitted
    assert ask(vocabulary, "DS", diseases=(CANCER, CARDIOVASCULAR), purpose=both).permitted


def test_ds_refuses_research_that_is_not_about_a_disease(vocabulary: Vocabulary) -> None:
    for purpose in (Purpose(Category.HMB), Purpose(Category.GRU), Purpose(Category.POA)):
        assert not ask(vocabulary, "DS", diseases=(CANCER,), purpose=purpose).permitted
    # a disease-specific study that does not say its disease cannot be matched to DS
    assert not ask(vocabulary, "DS", diseases=(CANCER,), purpose=Purpose(Category.DS)).permitted
    # a DS permission that names no disease permits no disease-specific study
    assert not ask(vocabulary, "DS", purpose=Purpose(Category.DS, (CANCER,))).permitted


def test_poa_permits_ancestry_research_only(vocabulary: Vocabulary) -> None:
    assert ask(vocabulary, "POA", purpose=Purpose(Category.POA)).permitted
    for purpose in (Purpose(Category.HMB), Purpose(Category.GRU), Purpose(Category.DS, (HCM,))):
        assert not ask(vocabulary, "POA", purpose=purpose).permitted


def test_nres_permits_everything_clinical_care_included(vocabulary: Vocabulary) -> None:
    for category in Category:
        purpose = Purpose(category, (HCM,) if category is Category.DS else (), clinical_care=True)
        assert ask(vocabulary, "NRES", purpose=purpose).permitted


def test_clinical_care_needs_nres_or_the_cc_modifier(vocabulary: Vocabulary) -> None:
    care = Purpose(Category.HMB, clinical_care=True)
    assert not ask(vocabulary, "HMB", purpose=care).permitted
    allowed = ask(vocabulary, "HMB", "CC", purpose=care)
    assert allowed.permitted and allowed.conditions == ()  # CC grants, it asks nothing


def test_no_permission_or_contradicting_permissions_permit_nothing(
    vocabulary: Vocabulary,
) -> None:
    assert not ask(vocabulary, None, purpose=Purpose(Category.GRU)).permitted
    conflicting = DataUse((term("HMB"), term("POA")))
    verdict = evaluate(conflicting, Purpose(Category.HMB), vocabulary.is_narrower_or_same)
    assert not verdict.permitted and "contradict" in verdict.reasons[0]
    unknown = DataUse((OBO + "DUO_0000005",))  # obsolete GRU-CC
    assert not evaluate(unknown, Purpose(), vocabulary.is_narrower_or_same).permitted


def test_several_permissions_amount_to_the_narrowest() -> None:
    assert duo.effective_permission([term("HMB"), term("DS")]) == term("DS")
    assert duo.effective_permission([term("GRU"), term("POA")]) == term("POA")
    assert duo.effective_permission([term("NRES"), term("HMB")]) == term("HMB")
    assert duo.effective_permission([term("HMB"), term("POA")]) is None
    assert duo.effective_permission([]) is None


# -- modifiers -----------------------------------------------------------------------------


def test_an_ncu_dataset_refuses_a_commercial_study(vocabulary: Vocabulary) -> None:
    commercial = Purpose(Category.HMB, commercial=True)
    refused = ask(vocabulary, "GRU", "NCU", purpose=commercial)
    assert not refused.permitted and "commercial" in refused.reasons[0]
    allowed = ask(vocabulary, "GRU", "NCU", purpose=Purpose(Category.HMB))
    assert allowed.permitted
    assert [c.shorthand for c in allowed.conditions] == ["NCU"]  # it still binds the use


@pytest.mark.parametrize(
    ("modifier", "purpose"),
    [
        ("NPU", Purpose(Category.HMB, for_profit=True)),
        ("NPUNCU", Purpose(Category.HMB, for_profit=True)),
        ("NPUNCU", Purpose(Category.HMB, commercial=True)),
        ("NMDS", Purpose(Category.HMB, methods=True)),
        ("GSO", Purpose(Category.HMB, phenotype_only=True)),
        ("NPOA", Purpose(Category.POA)),
    ],
)
def test_a_modifier_refuses_what_its_definition_excludes(
    vocabulary: Vocabulary, modifier: str, purpose: Purpose
) -> None:
    assert ask(vocabulary, "GRU", purpose=purpose).permitted
    verdict = ask(vocabulary, "GRU", modifier, purpose=purpose)
    assert not verdict.permitted
    assert f"({modifier})" in verdict.reasons[0]


def test_conditions_that_refuse_nothing_come_back_to_be_met(vocabulary: Vocabulary) -> None:
    modifiers = ("PUB", "COL", "IRB", "GS", "MOR", "TS", "US", "PS", "IS", "RTN", "RS")
    purpose = Purpose(Category.DS, (BREAST_CANCER,), commercial=True, for_profit=True, methods=True)
    verdict = ask(vocabulary, "DS", *modifiers, diseases=(CANCER,), purpose=purpose)
    assert verdict.permitted
    assert [c.shorthand for c in verdict.conditions] == list(modifiers)
    assert all(c.label == duo.TERMS_BY_SHORTHAND[c.shorthand].label for c in verdict.conditions)


def test_an_unknown_modifier_is_a_condition_to_ask_about(vocabulary: Vocabulary) -> None:
    use = DataUse((term("GRU"),), ("https://example.org/our-own-rule",))
    verdict = evaluate(use, Purpose(Category.HMB), vocabulary.is_narrower_or_same)
    assert verdict.permitted
    assert verdict.conditions[0].iri == "https://example.org/our-own-rule"
    assert verdict.conditions[0].shorthand is None


def test_a_purpose_of_flags_only_checks_the_flags(vocabulary: Vocabulary) -> None:
    commercial = Purpose(commercial=True)
    assert ask(vocabulary, "DS", diseases=(CANCER,), purpose=commercial).permitted
    assert not ask(vocabulary, "POA", "NCU", purpose=commercial).permitted
    assert not ask(vocabulary, None, purpose=commercial).permitted


def test_the_duo_file_is_the_one_the_sources_name() -> None:
    sources = (ontologies_dir() / "SOURCES.md").read_text(encoding="utf-8")
    assert "duo/duo.owl" in sources and "2021-02-23" in sources
    assert Path(DUO_OWL).stat().st_size > 100_000
