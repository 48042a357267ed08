"""Writes of the resident scheme, one module per subdomain, re-exported here."""

from .persons import apply_values
from .registration import RegistrationInput, register, resolve, resubmit, review, send_back

__all__ = ["RegistrationInput", "apply_values", "register", "resolve", "resubmit", "review", "send_back"]
