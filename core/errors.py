"""Refusals from core carry a message id (the English template) and its values, so the interface can word them
in the page's language; str() of the error is the English text, which the command line prints."""
from __future__ import annotations


class CoreError(ValueError):
    """A ValueError whose text is `message` with {placeholders} filled from `values`."""

    def __init__(self, message: str, **values: object) -> None:
        self.message, self.values = message, values
        super().__init__(message.format(**values) if values else message)
