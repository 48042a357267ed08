"""城乡居民医保费的征收 (collection): channels, payments, village agents' cash and deposits,
the assistance fund, family accounts, reconciliation and refunds."""
