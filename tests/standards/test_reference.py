"""The EP National Practice Standards reference data: 8 standards, 70 sub-standards numbered without gaps,
texts as in the Adoption England self-assessment toolkit (Spring 2023), and the codes events are tagged with."""

import pytest

from ep_events.core.errors import DomainError
from ep_events.standards import (
    Standard,
    code_sort_key,
    current_edition,
    edition,
    standard_choices,
    substandard_choices,
    validate_codes,
)

SUBSTANDARDS_PER_STANDARD = {"S1": 9, "S2": 10, "S3": 10, "S4": 11, "S5": 8, "S6": 6, "S7": 8, "S8": 8}

# The first and last sub-standard of each standard, copied from the toolkit's text by hand.
TOOLKIT_TEXTS = {
    "1.1": "The child’s welfare throughout their life will be the paramount consideration in care planning, and "
           "their wishes and feelings, needs and best interests kept at the centre of all decision making.",
    "1.9": "The child is protected from the emotional uncertainty around placement decisions and potential court "
           "outcomes. The uncertainty is managed by the adults involved in caring for the child, with robust "
           "support for early permanence carers.",
    "2.1": "LAs work in partnership with their RAAs/VAAs to ensure they have practice guidance available and clear "
           "pathways for early permanence and that these are communicated effectively throughout the LA and all "
           "relevant agencies.",
    "2.10": "LAs/RAAs/VAAs work together to provide multiagency training and have information sharing mechanisms "
            "in place to promote best practice in early permanence.",
    "3.1": "Early permanence is integrated into RAA and VAA adopter recruitment strategies from initial enquiry "
           "onwards.",
    "3.10": "Where a Placement Order is granted, and a formal match agreed at panel, the changed status of the EP "
            "carers to an adoptive family with parental responsibility is supported by social workers sensitive "
            "to this transition.",
    "4.1": "An early permanence placement is sought that reflects the child’s current and anticipated future needs "
           "(including permanency), based on the information available at that time.",
    "4.11": "The formal adoption matching process rigorously explores that the child’s early permanence carers may "
            "or may not be the best adoption permanency match, balancing the child’s need for stability and "
            "continuing relationships.",
    "5.1": "The changes required of the child’s family to promote reunification are clearly communicated and set "
           "out in an agreed plan including timeframes, assessment, and review procedures.",
    "5.8": "Where the court outcome is an adoption plan, the child’s family is helped to cope with their grief and "
           "loss, and fully supported to contribute to their child’s life story and fulfil post adoption "
           "arrangements to maintain relationships.",
    "6.1": "The value to the child of maintaining significant relationships throughout an evolving life story is "
           "acknowledged by all involved in EP care planning and given due recognition in working practices.",
    "6.6": "Where an EP carer goes on to adopt the child, they are supported to consider the benefits of, and "
           "promote significant relationships for the child.",
    "7.1": "Where the court (or LA) decides reunification should be the plan for the child the change of focus "
           "should guide all practice.",
    "7.8": "Where there are other children in either the child’s family or the EP carer’s family, active "
           "consideration is given to their support needs in relation to reunification and any future contact "
           "arrangements.",
    "8.1": "LA/RAA leaders ensure all professionals in their services understand the legal duty to consider early "
           "permanence for any child where adoption is being considered.",
    "8.8": "Leaders promote the development and dissemination of local practice guidance to drive early permanence "
           "development.",
}


def test_the_2023_edition_has_8_standards_and_70_substandards_numbered_without_gaps():
    standards = current_edition().standards
    assert current_edition().key == "2023"
    assert [s.code for s in standards] == [f"S{n}" for n in range(1, 9)]
    assert [s.number for s in standards] == list(range(1, 9))
    assert {s.code: len(s.substandards) for s in standards} == SUBSTANDARDS_PER_STANDARD
    assert sum(len(s.substandards) for s in standards) == len(current_edition().substandards) == 70
    for standard in standards:
        assert [sub.number for sub in standard.substandards] == [
            f"{standard.number}.{n}" for n in range(1, len(standard.substandards) + 1)]
        assert {sub.standard_code for sub in standard.substandards} == {standard.code}


@pytest.mark.parametrize("number", sorted(TOOLKIT_TEXTS, key=code_sort_key))
def test_the_first_and_last_substandard_of_each_standard_read_as_in_the_toolkit(number):
    assert current_edition().substandard(number).text == TOOLKIT_TEXTS[number]


def test_every_standard_has_its_title_and_headline_and_every_substandard_its_resources():
    s4 = current_edition().standard("S4")
    assert s4.title == "Children are matched with suitable early permanence carers"
    assert s4.headline.startswith("Effective systems operate to place children with early permanence carers")
    assert current_edition().standard("S1").title == (
        "Principles underpinning effective delivery of early permanence to children who may be adopted")
    assert current_edition().standard("S7").headline == (
        "Reunification of the child with their parent, family member or connected person.")
    for sub in current_edition().substandards:
        assert sub.text and sub.resources, sub.number
        assert all(r and not r.startswith(("·", "[bookmark")) and "\u00a0" not in r for r in sub.resources)
    assert "Reunification framework" in current_edition().substandard("7.1").resources
    assert current_edition().substandard("8.6").resources[-1] == "Reflective practice form"


def test_numbers_are_strings_so_2_10_is_not_2_1():
    edition_ = current_edition()
    assert edition_.substandard("2.10").text != edition_.substandard("2.1").text
    assert edition_.substandard("2.10").number == "2.10"


def test_an_edition_is_found_by_its_key_and_unknown_or_strange_keys_find_none():
    assert edition("2023") is current_edition()
    assert isinstance(edition("2023").standard("S1"), Standard)
    for key in ("1999", "../2023", "2023\x00", "", "x" * 500):
        assert edition(key) is None


def test_lookups_of_unknown_codes_find_nothing():
    edition_ = current_edition()
    assert edition_.standard("S9") is None and edition_.standard("1.1") is None
    assert edition_.substandard("9.1") is None and edition_.substandard("S1") is None
    assert edition_.substandard("1.10") is None


def test_choices_show_the_standards_title_and_the_substandards_shortened_text():
    choices = standard_choices()
    assert len(choices) == 8
    assert choices[3] == ("S4", "S4: Children are matched with suitable early permanence carers")
    subs = substandard_choices()
    assert len(subs) == 70 and subs[0][0] == "1.1" and subs[-1][0] == "8.8"
    assert subs[0][1].startswith("1.1 The child’s welfare throughout their life")
    assert all(len(label) <= 100 for _, label in subs)
    assert subs[0][1].endswith("…")  # 1.1's text is longer than a choice shows
    assert subs[-1][1] == "8.8 Leaders promote the development and dissemination of local practice guidance to drive…"


def test_validate_codes_strips_removes_repeats_and_sorts_standards_before_substandards():
    assert validate_codes([" 4.2", "S4", "2.10", "1.2", "S1", "1.2", "", "2.9"]) == (
        "S1", "S4", "1.2", "2.9", "2.10", "4.2")
    assert validate_codes([]) == () and validate_codes(None) == ()


@pytest.mark.parametrize("codes, named", [
    (["S1", "9.9"], '"9.9"'),
    (["S9"], '"S9"'),
    (["1.10"], '"1.10"'),
    (["s1"], '"s1"'),
    (["standard four"], '"standard four"'),
    (["4.2\x00"], None),
    (["2" * 300], None),
])
def test_validate_codes_names_the_first_unknown_code(codes, named):
    with pytest.raises(DomainError) as refused:
        validate_codes(codes)
    assert str(refused.value).startswith("There is no practice standard")
    assert refused.value.field == "practice_standards"
    assert len(str(refused.value)) < 60
    if named:
        assert named in str(refused.value)


def test_codes_sort_as_people_read_them():
    codes = ["2.1", "1.10", "S10", "S2", "1.2", "S1", "1.1"]
    assert sorted(codes, key=code_sort_key) == ["S1", "S2", "S10", "1.1", "1.2", "1.10", "2.1"]
