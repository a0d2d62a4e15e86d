"""The dashboard server process: load the heavy libraries, then hand over to Streamlit.

Streamlit runs every page script inside this process, so whatever is imported here is already in
`sys.modules` when the first visitor arrives.  Without it the first script run pays for importing
Polars, Plotly, PyArrow and DuckDB (and for Plotly building its validators on the first figure),
seconds on a small machine, while the visitor waits on a blank page.  Only libraries and the
`queries` package are loaded: the app's own Streamlit modules are imported by the script run, as
Streamlit expects.
"""

from __future__ import annotations

import sys


def preload() -> None:
    """Import what every page needs and draw one throwaway figure (Plotly loads lazily)."""
    import duckdb  # noqa: F401
    import plotly.graph_objects as go
    import plotly.io
    import polars as pl
    import pyarrow  # noqa: F401

    import switchcost.queries.dashboard
    import switchcost.queries.projection  # noqa: F401

    figure = go.Figure(go.Bar(x=["a"], y=[1.0]))
    figure.update_layout(barmode="group", legend={"orientation": "h"})
    plotly.io.to_json(figure)
    pl.DataFrame({"a": [1]}).to_arrow()


def main() -> None:
    """`python -m switchcost.app.serve ARGS`: the same arguments as `streamlit run ARGS`."""
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
