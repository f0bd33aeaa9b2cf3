"""The sub-standards field: numbers typed as a list are checked against the standards, sorted and de-duplicated;
standards, unknown numbers and overlong input are refused with a message; saved tags fill it back in."""

import pytest
from werkzeug.datastructures import MultiDict

from ep_events.core.forms import Form
from ep_events.standards import SubstandardsField


class TagForm(Form):
    tags = SubstandardsField()


def _submitted(app, typed: str) -> TagForm:
    with app.test_request_context(method="POST"):
        form = TagForm(formdata=MultiDict({"tags": typed}), meta={"csrf": False})
        form.validate()
        return form


@pytest.mark.parametrize("typed, codes", [
    ("4.2, 5.3", ("4.2", "5.3")),
    ("5.3;4.2  4.2\n2.10", ("2.10", "4.2", "5.3")),
    ("", ()),
    ("  ", ()),
])
def test_typed_numbers_become_sorted_known_sub_standards(app, typed, codes):
    form = _submitted(app, typed)
    assert not form.errors and form.tags.data == codes


@pytest.mark.parametrize("typed, message", [
    ("4.2, 9.9", 'There is no practice standard "9.9"'),
    ("S4", "Tick whole standards above"),
    ("4.2," * 100, "Enter at most 300 characters"),
    ("1.10", 'There is no practice standard "1.10"'),
])
def test_anything_else_is_refused_with_a_message(app, typed, message):
    form = _submitted(app, typed)
    assert form.tags.data == () and any(message in error for error in form.errors["tags"])
    assert form.tags._value() == typed  # shown back as typed


def test_saved_tags_fill_in_only_the_sub_standards(app):
    with app.test_request_context():
        form = TagForm(formdata=None, data={"tags": ["S1", "S4", "2.10", "4.2"]}, meta={"csrf": False})
        assert form.tags.data == ("2.10", "4.2") and form.tags._value() == "2.10, 4.2"
