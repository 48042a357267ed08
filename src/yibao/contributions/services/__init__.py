"""Writes of the contributions app, one module per subdomain, re-exported here."""

from ..errors import AppError, ContributionError, NotFound, RuleRefused
from .adjustments import adjust
from .bills import Generated, declare_bill, generate_bills, start_generation
from .payments import record_counter_payment, refuse_unknown_bill
from .spans import add_person, remove_person, seed_spans

__all__ = ["AppError", "ContributionError", "Generated", "NotFound", "RuleRefused", "add_person", "adjust",
           "declare_bill", "generate_bills", "record_counter_payment", "refuse_unknown_bill", "remove_person",
           "seed_spans", "start_generation"]
