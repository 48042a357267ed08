from tally_check import tallies_agree  # noqa: F401
