"""Evidence from replaying captured requests on a target model: intervals, the replay tables'
reads and writes, and the projection that uses what the target actually did."""

from __future__ import annotations
