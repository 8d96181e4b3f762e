"""Typed error raised by every data source (SQL database, Google Sheets).

Reason codes are stable strings that pages and tests can branch on:

- ``bad_url``: the database address cannot be read, or its driver is not installed
- ``cannot_connect``: the database / Google cannot be reached (network, lock, refused login)
- ``no_such_table``: the table (or schema) named in the feed does not exist
- ``not_a_select``: the query is not one read-only SELECT/WITH statement, or it tried to write
- ``query_failed``: the database rejected the query for another reason
- ``bad_sheet_ref``: not a Google Sheets link or key
- ``bad_credentials``: the Google service-account key is missing, malformed or refused
- ``not_shared``: the sheet exists but is not shared with the service account
- ``not_found``: no sheet with that key (or it is not shared with the service account)
- ``api_disabled``: the Google Sheets API is not enabled in the service account's project
- ``worksheet_missing``: no worksheet (tab) with the requested title
- ``empty_sheet``: the worksheet has no rows, or only a header row
- ``bad_header``: the header row is unusable (duplicate names, or values under a blank header)
- ``sheets_error``: any other error answered by the Google Sheets API
"""

from __future__ import annotations

__all__ = ["SourceError"]


class SourceError(Exception):
    """A source could not be read.

    ``source`` is a display name that is safe to show (never contains a password),
    ``reason`` a stable code (see the module docstring) and ``message`` a sentence for
    a store coordinator that says what to do. ``str(err)`` is the message.
    """

    def __init__(self, source: str, reason: str, message: str) -> None:
        super().__init__(source, reason, message)
        self.source = source
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"SourceError(source={self.source!r}, reason={self.reason!r}, message={self.message!r})"
