"""Reads of the resident scheme, always through the reader's scope (``access.scoping``)."""

from .coverage import Coverage, coverage, premium_for
from .places import places_for, region_of, resident_regions
from .persons import (
    enrolments_of,
    person_as_of,
    person_for,
    persons_for,
    problem_for,
    problems_for,
    registration_counts,
    registration_for,
    registrations_for,
)

__all__ = ["Coverage", "coverage", "enrolments_of", "person_as_of", "person_for", "persons_for", "places_for", "premium_for",
           "problem_for", "problems_for", "region_of", "registration_counts", "registration_for", "registrations_for",
           "resident_regions"]
