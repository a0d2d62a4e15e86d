"""Errors the user can act on, in a module light enough for every command to import."""

from __future__ import annotations


class InputError(Exception):
    """A path the user named cannot be read; the message names it."""
