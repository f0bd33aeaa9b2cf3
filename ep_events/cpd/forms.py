"""The CPD record form, in the order of Social Work England's CPD form. Lengths, dates and standards are
checked by the service (records.checked_answers), so a hand-made request meets the same rules."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ep_events.core.forms import Form, GovDateField, MinutesField
from ep_events.cpd.records import CPD_TYPES, LONGEST_MINUTES, PEER_ROLE_MAX, TEXT_MAX, TITLE_MAX, RecordAnswers
from ep_events.standards import code_sort_key, current_edition, standard_choices

NO_IDENTIFIERS = "Do not include names or details that could identify children, families or carers."


def _box_hint(what: str) -> str:
    return f"{what} {NO_IDENTIFIERS} {TEXT_MAX:,} characters or fewer."


class RecordForm(Form):
    cpd_type = RadioField("Type of CPD", widget=GovRadioInput(), validators=[Optional()],
                          choices=[SelectChoice(t, t) for t in CPD_TYPES])
    title = StringField("Title", widget=GovTextInput(), validators=[Optional()],
                        description=f"For example, the name of the event or course. {NO_IDENTIFIERS} "
                                    f"{TITLE_MAX} characters or fewer.")
    activity_date = GovDateField("Date", description="The day you did it, for example 16 6 2026",
                                 validators=[Optional()])
    duration_minutes = MinutesField("Time it took, in minutes (optional)", person="you", longest=LONGEST_MINUTES,
                                    widget=GovTextInput(), validators=[Optional()],
                                    description="For example, 40 for a practice surgery")
    description = TextAreaField("Describe the CPD and why it is relevant to your practice",
                                widget=GovCharacterCount(), validators=[Optional()],
                                description=_box_hint("A short description of what you did and why."))
    learning = TextAreaField("What did you learn?", widget=GovCharacterCount(), validators=[Optional()],
                             description=_box_hint("What you learnt from it."))
    impact = TextAreaField("What positive impact will this have on your practice and the people you work with?",
                           widget=GovCharacterCount(), validators=[Optional()],
                           description=_box_hint("How it changes what you do."))
    has_peer_reflection = BooleanField("I discussed this CPD with a peer (a peer reflection)",
                                       widget=GovCheckboxInput(), validators=[Optional()])
    peer_role = StringField("The peer's role", widget=GovTextInput(), validators=[Optional()],
                            description="Their role, for example Adoption team manager, never their name. "
                                        f"{PEER_ROLE_MAX} characters or fewer.")
    peer_learning = TextAreaField("What did you learn from discussing it with a peer?", widget=GovCharacterCount(),
                                  validators=[Optional()], description=_box_hint("What the discussion added."))
    standards = SelectMultipleField("EP National Practice Standards it relates to (optional)",
                                    widget=GovCheckboxesInput(), validators=[Optional()], choices=[])
    practice_standards = StringField("Sub-standards (optional)", widget=GovTextInput(), validators=[Optional()],
                                     description="Their numbers, separated by commas, for example 4.2, 4.5")
    save = SubmitField("Save as draft", widget=GovSubmitInput())
    complete = SubmitField("Save and mark complete", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards.choices = [SelectChoice(code, label) for code, label in standard_choices()]

    def fill_from(self, answers: RecordAnswers) -> None:
        """Show a saved record (or a fresh draft): the standards split into headline codes and sub-standards."""
        headline = {standard.code for standard in current_edition().standards}
        for name in ("cpd_type", "title", "activity_date", "duration_minutes", "description", "learning", "impact",
                     "has_peer_reflection", "peer_role", "peer_learning"):
            getattr(self, name).data = getattr(answers, name)
        self.standards.data = [code for code in answers.practice_standards if code in headline]
        self.practice_standards.data = ", ".join(code for code in answers.practice_standards if code not in headline)

    def answers(self) -> RecordAnswers:
        typed = [code.strip() for code in (self.practice_standards.data or "").replace(";", ",").split(",")]
        codes = list(self.standards.data or []) + [code for code in typed if code]
        return RecordAnswers(
            cpd_type=self.cpd_type.data or "", title=self.title.data or "", activity_date=self.activity_date.data,
            duration_minutes=self.duration_minutes.data, description=self.description.data or "",
            learning=self.learning.data or "", impact=self.impact.data or "",
            has_peer_reflection=bool(self.has_peer_reflection.data), peer_role=self.peer_role.data or "",
            peer_learning=self.peer_learning.data or "",
            practice_standards=tuple(sorted(set(codes), key=code_sort_key)))

    @property
    def marking_complete(self) -> bool:
        return bool(self.complete.data)


class DeleteRecordForm(Form):
    submit = SubmitField("Delete this record", widget=GovSubmitInput())
