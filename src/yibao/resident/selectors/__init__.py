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

# import batches
from .imports import batch_counts, batch_for, batch_problems, batches_for  # noqa: E402

__all__ += ["batch_counts", "batch_for", "batch_problems", "batches_for"]
