"""``yibao reporting`` (``tallies``: the progress counters' maintenance) and ``yibao reports``
(``reports``: the weekly report, the bulletin and the submissions)."""
