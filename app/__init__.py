"""The composition root: the CLI and the dashboard wire `ingest` and `queries` together."""
