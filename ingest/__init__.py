"""Log files in, one DuckDB transaction out.

Readers (one per log format, all the same shape) turn files into Arrow tables of canonical
request records carrying their file and line; `ingest.load` merges them into the database in a
single transaction.  Readers never touch the database.
"""
