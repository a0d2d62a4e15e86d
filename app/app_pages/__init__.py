"""Dashboard pages: each lays out widgets and calls `app.data` and `app.charts`, nothing else."""
