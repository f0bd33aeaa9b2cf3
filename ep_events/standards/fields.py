"""A form field for tagging with sub-standards: their numbers typed as a list ("4.2, 5.3"), beside the eight
standards' checkboxes, so an organiser can tag an event as precisely as the toolkit numbers it."""

import re

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField

from ep_events.core.errors import DomainError
from ep_events.standards.reference import STANDARD_CODE, validate_codes

TYPED_MAX = 300
SEPARATORS = re.compile(r"[\s,;]+")


class SubstandardsField(StringField):
    """`data` is a tuple of known sub-standard numbers, sorted; given a list of tags (`data=`), it keeps the
    sub-standards among them (the standards belong to the checkboxes)."""

    def __init__(self, label="Sub-standards it addresses (optional)", **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("description", "Their numbers in the practice standards, separated by commas, "
                                         "for example 4.2, 5.3")
        super().__init__(label, **kwargs)

    def process_data(self, value):
        self.data = tuple(code for code in (value or ()) if not STANDARD_CODE.match(str(code)))

    def process_formdata(self, valuelist):
        typed = valuelist[0] if valuelist else ""
        self.raw_data = [typed]
        if len(typed) > TYPED_MAX:
            self.data = ()
            raise ValueError(f"Enter at most {TYPED_MAX} characters of sub-standard numbers")
        codes = [code for code in SEPARATORS.split(typed) if code]
        if any(STANDARD_CODE.match(code) for code in codes):
            self.data = ()
            raise ValueError("Tick whole standards above; enter only sub-standard numbers here, like 4.2")
        try:
            self.data = validate_codes(codes)
        except DomainError as error:
            self.data = ()
            raise ValueError(str(error)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or ())
