"""Reads of the resident scheme, always through the reader's scope (``access.scoping``)."""

from .changes import change_for, changes_for, document_for, history_of, person_by_pk, person_on
from .coverage import (
    Coverage,
    CoverageAnswer,
    OwnRecord,
    PersonCard,
    Premium,
    categories_on,
    clean_id_number,
    coming_year,
    coverage,
    coverage_for,
    own_record,
    person_card,
    premium_for,
    premium_of,
    search_persons,
)
from .imports import batch_counts, batch_for, batch_problems, batches_for
from .persons import (
    person_as_of,
    person_for,
    persons_for,
    problem_for,
    problems_for,
    registration_counts,
    registration_for,
    registrations_for,
)
from .places import places_for, region_of, resident_regions
from .progress import enrolment_counts, tallied_counts

__all__ = [
    # the collection progress (yibao.reporting)
    "enrolment_counts", "tallied_counts",
    # persons, registrations and the problem queue
    "person_as_of", "person_for", "persons_for", "problem_for", "problems_for", "registration_counts",
    "registration_for", "registrations_for",
    # where a user registers
    "places_for", "region_of", "resident_regions",
    # change requests and history
    "change_for", "changes_for", "document_for", "history_of", "person_by_pk", "person_on",
    # coverage, premium and the person as staff and the resident see them
    "Coverage", "CoverageAnswer", "OwnRecord", "PersonCard", "Premium", "categories_on", "clean_id_number",
    "coming_year", "coverage", "coverage_for", "own_record", "person_card", "premium_for", "premium_of",
    "search_persons",
    # import batches
    "batch_counts", "batch_for", "batch_problems", "batches_for",
]
