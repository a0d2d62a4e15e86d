"""`switchcost replay`: re-send a seeded sample of captured requests to a target model, measure
what it did and grade its answers against the originals."""

from __future__ import annotations
