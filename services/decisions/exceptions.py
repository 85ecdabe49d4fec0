"""Errors of the decisions service; callers see the class name as exc_type."""
import json


class DecisionsError(Exception):
    pass


class InvalidInput(DecisionsError, ValueError):
    """Input failed validation; `errors` lists {path, code, message}.

    The text of the exception is JSON, {"message", "errors"}, because an
    RPC caller receives only the text.
    """

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)

    def __str__(self):
        return json.dumps({"message": self.message, "errors": self.errors},
                          ensure_ascii=False, default=str)


class InvalidTransition(DecisionsError):
    """The decision's status does not allow the requested step."""


class ChecksFailed(DecisionsError):
    """A pre-signing check found an error that must be fixed first."""


class AlreadyIssued(DecisionsError):
    """An issued decision cannot change; issue a new decision instead."""


class NumberingUnavailable(DecisionsError):
    """The numbering service did not reply in time, so retrying is safe."""


class NumberTaken(DecisionsError):
    """The paper number is already allocated, claimed or voided."""
