"""The EP National Practice Standards (Adoption England, Spring 2023): reference data, by edition.

Read from a data file in the repository (`editions/<key>.json`, extracted once from the Adoption England
self-assessment toolkit and reviewed by hand) into memory, once. Events, CPD records and assessments keep
the codes ("S4", "4.2"), never ids, so a later edition can be added without breaking what was tagged
or assessed against an earlier one.
"""
from ep_events.standards.fields import SubstandardsField
from ep_events.standards.reference import (
    CURRENT_EDITION_KEY,
    Edition,
    Standard,
    SubStandard,
    code_sort_key,
    current_edition,
    edition,
    practice_standard_label,
    standard_choices,
    substandard_choices,
    validate_codes,
)

__all__ = ["CURRENT_EDITION_KEY", "Edition", "Standard", "SubStandard", "code_sort_key", "current_edition",
           "edition", "practice_standard_label", "standard_choices", "substandard_choices", "validate_codes",
           "SubstandardsField"]
