"""The reports' JSON API: ``progress`` (/api/v1/reporting) and ``reports`` (/api/v1/reporting/reports)."""
