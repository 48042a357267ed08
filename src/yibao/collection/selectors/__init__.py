"""Reads of the collection, through the reader's scope (``access.scoping``)."""

from .payments import channels, payments_for, payments_of_person

__all__ = ["channels", "payments_for", "payments_of_person"]
