"""Reads of the resident scheme, always through the reader's scope (``access.scoping``)."""

from .coverage import Coverage, coverage, premium_for
from .persons import (
    enrolments_of,
    person_as_of,
    person_for,
    persons_for,
    problem_for,
    problems_for,
    registration_for,
    registrations_for,
)

__all__ = ["Coverage", "coverage", "enrolments_of", "person_as_of", "person_for", "persons_for", "premium_for",
           "problem_for", "problems_for", "registration_for", "registrations_for"]

# change requests and history
from .changes import change_for, changes_for, document_for, history_of, person_by_pk, person_on  # noqa: E402

__all__ += ["change_for", "changes_for", "document_for", "history_of", "person_by_pk", "person_on"]
