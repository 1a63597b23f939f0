"""The hierarchies the disease and phenotype filters follow, and how values are written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gdcat.paths import ontologies_dir
from gdcat.search.terms import COUNTRY_SCHEME, DISEASE_SCHEME, DUO_SCHEME, PHENOTYPE_SCHEME
from gdcat.search.vocabulary import Vocabulary, load_vocabulary

OBO = "http://purl.obolibrary.org/obo/"
ORDO = "http://www.orpha.net/ORDO/Orphanet_"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def test_hpo_closure_climbs_every_is_a_path_to_the_root(vocabulary: Vocabulary) -> None:
    hcm = OBO + "HP_0001639"  # Hypertrophic cardiomyopathy
    ancestors = vocabulary.ancestors(hcm)
    for broader in ("0001638", "0001637", "0001627", "0001626", "0000118", "0000001"):
        assert OBO + "HP_" + broader in ancestors, broader
    assert hcm not in ancestors
    assert OBO + "HP_0000707" not in ancestors  # Abnormality of the nervous system


def test_ordo_and_mondo_closures_follow_their_own_classifications(
    vocabulary: Vocabulary,
) -> None:
    hboc = ORDO + "145"  # hereditary breast and ovarian cancer syndrome
    assert vocabulary.ancestors(hboc) == {ORDO + "250908", ORDO + "98053"}
    adenocarcinoma = OBO + "MONDO_0005061"
    assert vocabulary.ancestors(adenocarcinoma) == {
        OBO + "MONDO_0008903",
        OBO + "MONDO_0004992",
        OBO + "MONDO_0000001",
    }
    assert vocabulary.is_narrower_or_same(adenocarcinoma, OBO + "MONDO_0004992")
    assert not vocabulary.is_narrower_or_same(OBO + "MONDO_0004992", adenocarcinoma)
    assert vocabulary.closure([OBO + "MONDO_0005045"]) >= {
        OBO + "MONDO_0005045",
        OBO + "MONDO_0004995",
    }


def test_a_term_outside_the_slices_is_only_itself(vocabulary: Vocabulary) -> None:
    icd = "http://purl.bioontology.org/ontology/ICD10/G71.0"
    assert vocabulary.ancestors(icd) == set()
    assert vocabulary.closure([icd]) == {icd}


def test_labels_come_from_the_vocabularies(vocabulary: Vocabulary) -> None:
    assert vocabulary.label(OBO + "HP_0001250") == "Seizure"
    assert vocabulary.label(ORDO + "558") == "Marfan syndrome"
    assert vocabulary.label(OBO + "DUO_0000046") == "non-commercial use only"
    country = "http://publications.europa.eu/resource/authority/country/PRT"
    assert vocabulary.label(country) == "Portugal"
    assert vocabulary.label("https://w3id.org/gdcat/vocab/sequencing-type/WES") == (
        "Whole exome sequencing"
    )


def _copy_ontologies(tmp_path: Path) -> Path:
    root = tmp_path / "ontologies"
    shutil.copytree(ontologies_dir(), root)
    return root


def test_equivalent_classes_share_their_hierarchies_both_ways(tmp_path: Path) -> None:
    root = _copy_ontologies(tmp_path)
    (root / "vocabularies" / "mondo" / "equivalence.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<{ORDO}558> owl:equivalentClass <{OBO}MONDO_0007947> .\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(root)
    marfan = ORDO + "558"
    assert OBO + "MONDO_0003847" in vocabulary.ancestors(marfan)  # hereditary disease
    assert ORDO + "98053" in vocabulary.ancestors(OBO + "MONDO_0007947")  # rare genetic


def test_the_digest_changes_with_the_hierarchies(tmp_path: Path) -> None:
    root = _copy_ontologies(tmp_path)
    before = load_vocabulary(root).digest
    assert load_vocabulary(root).digest == before
    slice_file = root / "vocabularies" / "hpo" / "hpo-slice.ttl"
    slice_file.write_text(slice_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_vocabulary(root).digest != before


@pytest.mark.parametrize(
    ("scheme", "iri", "value"),
    [
        (COUNTRY_SCHEME, "http://publications.europa.eu/resource/authority/country/FRA", "FRA"),
        (DISEASE_SCHEME, ORDO + "558", "ORPHA:558"),
        (DISEASE_SCHEME, OBO + "MONDO_0007254", "MONDO:0007254"),
        (DISEASE_SCHEME, "http://purl.bioontology.org/ontology/ICD10/I42.2", "ICD10:I42.2"),
        (DISEASE_SCHEME, "https://example.org/disease/7", "https://example.org/disease/7"),
        (PHENOTYPE_SCHEME, OBO + "HP_0001250", "HP:0001250"),
        (DUO_SCHEME, OBO + "DUO_00000044", "DUO:00000044"),
    ],
)
def test_values_are_codes_for_known_schemes_and_round_trip(
    scheme: object, iri: str, value: str
) -> None:
    from gdcat.search.terms import Scheme

    assert isinstance(scheme, Scheme)
    assert scheme.value(iri) == value
    assert scheme.iri(value) == iri
    assert scheme.canonical(iri) == value
    assert scheme.canonical(value) == value


def test_filter_values_are_read_leniently_where_codes_are_upper_case() -> None:
    assert COUNTRY_SCHEME.canonical("fra") == "FRA"
    assert COUNTRY_SCHEME.canonical(" PRT ") == "PRT"
