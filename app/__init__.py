"""The composition root: the CLI and the Streamlit dashboard wire `ingest` and `queries` together."""
