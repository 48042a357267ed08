"""Reads of the resident scheme, always through the reader's scope (``access.scoping``)."""

from .coverage import Coverage, coverage, premium_for
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
from .places import places_for, region_of, resident_regions

__all__ = ["Coverage", "coverage", "enrolments_of", "person_as_of", "person_for", "persons_for", "places_for", "premium_for",
           "problem_for", "problems_for", "region_of", "registration_counts", "registration_for", "registrations_for",
           "resident_regions"]

# change requests and history
from .changes import change_for, changes_for, document_for, history_of, person_by_pk, person_on  # noqa: E402

__all__ += ["change_for", "changes_for", "document_for", "history_of", "person_by_pk", "person_on"]

# coverage, premium and the person as staff and the resident see them
from .coverage import (  # noqa: E402
    CoverageAnswer,
    OwnRecord,
    PersonCard,
    Premium,
    categories_on,
    clean_id_number,
    coming_year,
    coverage_for,
    own_record,
    person_card,
    premium_of,
    search_persons,
)

__all__ += ["CoverageAnswer", "OwnRecord", "PersonCard", "Premium", "categories_on", "clean_id_number", "coming_year",
            "coverage_for", "own_record", "person_card", "premium_of", "search_persons"]

# import batches
from .imports import batch_counts, batch_for, batch_problems, batches_for  # noqa: E402

__all__ += ["batch_counts", "batch_for", "batch_problems", "batches_for"]
