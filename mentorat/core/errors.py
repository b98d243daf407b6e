"""The one error type services raise for a refusal a person should read."""


class ServiceError(Exception):
    """A refusal, in words for the person acting; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def add_to_form(form, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or on the form as a whole."""
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif form is not None:
        form.add_error(None, error.message)
