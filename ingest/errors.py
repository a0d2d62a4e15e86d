"""Errors the user can act on, in a module light enough for every command to import."""

from __future__ import annotations

from switchcost.queries.errors import UserError as UserError


class InputError(UserError):
    """A path the user named cannot be read; the message names it."""
