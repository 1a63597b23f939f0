"""Plain-language messages: field names a steward knows, and a fix for each constraint."""

from __future__ import annotations

import re

from gdcat.validate.messages import curie, explain, field_name, snake_case


def test_snake_case_of_camel_case_local_names() -> None:
    assert snake_case("accessURL") == "access_url"
    assert snake_case("numberOfUniqueIndividuals") == "number_of_unique_individuals"
    assert snake_case("hasEmail") == "has_email"
    assert snake_case("hdab") == "hdab"


def test_field_name_uses_the_model_then_the_local_name() -> None:
    assert field_name("http://www.w3.org/ns/dcat#accessURL") == "access_url"
    assert field_name("https://example.org/ns#someNewProperty") == "some_new_property"


def test_curie() -> None:
    assert curie("http://purl.org/dc/terms/title") == "dct:title"
    assert curie("http://healthdataportal.eu/ns/health#hdab") == "healthdcatap:hdab"
    assert curie("https://example.org/x") == "<https://example.org/x>"


def test_missing_required_and_recommended_fields_read_differently() -> None:
    required = explain("MinCount", "hdab", None, {"minCount": ("1",)})
    assert required.message == "`hdab` is required but missing."
    recommended = explain(
        "MinCount", "landing_page", None, {"minCount": ("1",)}, severity="Warning"
    )
    assert "recommended" in recommended.message


def test_datatype_message_names_value_and_expected_form() -> None:
    text = explain(
        "Datatype",
        "number_of_unique_individuals",
        "http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals",
        {"datatype": ("http://www.w3.org/2001/XMLSchema#nonNegativeInteger",)},
        value="-5",
        value_kind="literal",
    )
    assert '"-5"' in text.message
    assert "whole number of 0 or more" in text.message
    # an example value as a steward writes it, from the valid example records
    assert re.search(r"`number_of_unique_individuals: \d+`", text.hint), text.hint


def test_vocabulary_restriction_names_the_vocabulary() -> None:
    text = explain(
        "Node",
        "accrual_periodicity",
        "http://purl.org/dc/terms/accrualPeriodicity",
        {"scheme": ("http://publications.europa.eu/resource/authority/frequency",)},
        value="https://example.org/moon",
        value_kind="iri",
    )
    assert "http://publications.europa.eu/resource/authority/frequency" in text.message
    assert "Pick a concept" in text.hint


def test_specific_hint_for_hdab() -> None:
    text = explain("MinCount", "hdab", "http://healthdataportal.eu/ns/health#hdab", {})
    assert "health data access body" in text.hint


def test_missing_field_hints_show_a_correct_value_not_consider_adding() -> None:
    """A hint says what a correct value looks like: the allowed codes with their labels, or
    an example value (with the label of the term it names)."""
    enum = explain("MinCount", "sequencing_type", "https://w3id.org/gdcat/ns#sequencingType", {})
    assert "WES (Whole exome sequencing)" in enum.hint
    term = explain(
        "MinCount",
        "spatial",
        "http://purl.org/dc/terms/spatial",
        {"minCount": ("1",)},
        severity="Warning",
    )
    assert "Consider" not in term.hint
    assert re.search(r"`spatial: country:[A-Z]{3}` \(\w+", term.hint), term.hint


def test_allowed_values_are_listed_with_their_labels() -> None:
    text = explain(
        "In",
        "data_use_permission",
        "https://w3id.org/gdcat/ns#dataUsePermission",
        {"in": ("http://purl.obolibrary.org/obo/DUO_0000042",)},
        value="http://purl.obolibrary.org/obo/DUO_0000046",
        value_kind="iri",
    )
    assert text.hint == "Choose one of: DUO:0000042 (general research use)."
