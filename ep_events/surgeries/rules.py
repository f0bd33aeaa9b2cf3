"""Surgery rules shared by booking and its pages: the limits a booker meets and the errors they see."""

from ep_events.core.errors import DomainError

MAX_COLLEAGUES = 2
OUTLINE_MAX = 500
COLLEAGUE_NAME_MAX = 70  # GOV.UK's guidance for a full name field
COLLEAGUE_NAME_RULE = "letters, spaces, hyphens, apostrophes and full stops"


class SlotTaken(DomainError):
    def __init__(self):
        super().__init__("Sorry, that slot has just been taken. Choose another slot.", field="slot")


class BookingWindowClosed(DomainError):
    pass


class BookingLimitReached(DomainError):
    pass


def limit_message(most: int) -> str:
    """What a person at the programme's booking limit is told, before and after filling in the form."""
    return (f"You have {most} upcoming booking{'s' if most != 1 else ''}, the most you can hold. "
            "Cancel one to book another.")
