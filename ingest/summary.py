"""What one ingest run did: the one-line summary and the detail behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.tasks import Malformed


@dataclass
class IngestReport:
    """The one-line summary of a run, plus the detail behind it."""

    run_id: int = 0
    files_seen: int = 0
    files_read: int = 0
    files_reset: int = 0
    new_requests: int = 0
    updated_requests: int = 0
    duplicates: int = 0
    error_records: int = 0
    unpriced_requests: int = 0
    unpriced_models: dict[str, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)

    files_up_to_date: int = 0

    @property
    def nothing_readable(self) -> bool:
        """True when files were named but not one could be read (the only failing exit)."""
        return self.files_seen > 0 and not self.files_read and not self.files_up_to_date
