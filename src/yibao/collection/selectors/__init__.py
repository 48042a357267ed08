"""Reads of the collection, through the reader's scope (``access.scoping``)."""

from . import progress
from .payments import channels, my_payments, payments_for, payments_of_person, regions_of_person

__all__ = ["progress", "channels", "payments_for", "my_payments", "payments_of_person", "regions_of_person"]
