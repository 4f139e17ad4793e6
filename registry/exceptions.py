"""Errors that operations raise with a message meant for the user."""


class OperationRefused(Exception):
    """The operation would break a rule; ``message`` says which, in Vietnamese."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
