"""Everything SQL: the schema and its migrations, the price model, and the reports.

`queries` is the headless core; it imports neither `ingest` nor `app` (an import-linter contract).
"""
