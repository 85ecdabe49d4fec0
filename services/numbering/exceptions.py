"""Errors of the numbering service.

Callers receive them as nameko RemoteError whose exc_type is the class
name below, so the name is the contract and the message is for people.
"""


class NumberingError(Exception):
    pass


class InvalidArgument(NumberingError, ValueError):
    """An argument is missing or malformed."""


class RequestConflict(NumberingError):
    """A request id was reused with different arguments."""


class NumberTaken(NumberingError):
    """A claim names a number that is already allocated, claimed or voided."""


class NumberBound(NumberingError):
    """A void names a number that an issued decision already carries."""


class NumberVoided(NumberingError):
    """The request's number was voided; the request must not print it."""
