"""The reports' pages: ``progress`` (the dashboards and their downloads) and ``reports`` (the
weekly report, the monthly bulletin and the counties' submissions)."""
