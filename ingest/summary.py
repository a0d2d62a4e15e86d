"""What one ingest run did: the one-line summary and the detail behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

from switchcost.ingest.tasks import Malformed

EMPTY = "empty file"  # the reason given for skipping an empty file (not a failure)


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
    response_lines: int = 0
    other_lines: int = 0
    unpriced_requests: int = 0
    unpriced_models: dict[str, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)

    files_up_to_date: int = 0
    # Files read with a forced --format that gave no request, no bucket and no malformed line.
    nothing_billable: list[str] = field(default_factory=list)

    @property
    def lines_note(self) -> str:
        """Where every line read went: `N lines read: R in responses, O other (prompts, tool
        results, blank), E API error records, M malformed` (they add up to N)."""
        parts = [
            (self.response_lines, "in responses"),
            (self.other_lines, "other (prompts, tool results, events, blank)"),
            (self.error_records, "API error records"),
            (len(self.malformed), "malformed"),
        ]
        total = sum(n for n, _ in parts)
        shown = ", ".join(f"{n:,} {what}" for n, what in parts if n)
        return f"{total:,} lines read: {shown}" if total else "0 lines read"

    @property
    def error_records_note(self) -> str:
        """`, N API error records skipped` when the logs held any (error responses carry no
        usage: counted, never billed), else empty: the tail of the summary line."""
        if not self.error_records:
            return ""
        return f", {self.error_records} API error records skipped"

    @property
    def nothing_readable(self) -> bool:
        """True when something given could not be read (a file skipped for a reason other than
        being empty, or a forced format that found nothing billable in a file) and nothing else
        was read or up to date: the only failing exit.  Empty files alone are not a failure."""
        failed = bool(self.nothing_billable) or any(w != EMPTY for _, w in self.skipped_files)
        useful = self.files_read - len(self.nothing_billable) + self.files_up_to_date
        return failed and useful <= 0
