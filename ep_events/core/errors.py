"""Domain errors: their message is fit to show to the user."""


class DomainError(Exception):
    """A rule of the domain refused the action; str(error) is shown to the user."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self)


class NotAllowed(DomainError):
    """The acting user may not do this."""
