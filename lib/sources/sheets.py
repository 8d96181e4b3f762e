"""Read a feed from a Google Sheet through a service account (gspread 6.2).

The sheet must be shared with the service account's ``client_email`` (Viewer is enough).
Values come back as the sheet shows them (formatted strings); row 1 is the header.
Errors become ``SourceError``; the private key is never shown or logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Mapping

import gspread
import pandas as pd
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.utils import rowcol_to_a1

from lib.sources.errors import SourceError

__all__ = [
    "client_from_service_account",
    "parse_sheet_ref",
    "read_worksheet",
    "service_account_from_config",
]

log = logging.getLogger(__name__)

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
SERVICE_ACCOUNT_ENV = "GOOGLE_SERVICE_ACCOUNT_JSON"
SERVICE_ACCOUNT_SECRET = "gcp_service_account"
TOKEN_URI = "https://oauth2.googleapis.com/token"
TIMEOUT = (10, 60)  # seconds: connect, read
_CREDS = "Google service account"
_SHEET_URL = re.compile(r"(?:https?://)?docs\.google\.com/spreadsheets/(?:u/\d+/)?d/(e/)?([A-Za-z0-9_-]+)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
_NEW_KEY = "Create a new JSON key for the service account in the Google Cloud console and paste it again."


def parse_sheet_ref(ref: str) -> str:
    """The spreadsheet key from a sheet URL (``.../spreadsheets/d/<key>/edit#gid=0``) or a bare key."""
    text = ref.strip() if isinstance(ref, str) else ""
    found = _SHEET_URL.match(text)
    if found and found.group(1):
        raise SourceError(
            "Google Sheet",
            "bad_sheet_ref",
            "This is a 'Publish to the web' link, which cannot be read with a service account. "
            "Open the sheet and copy the address from the browser's address bar instead.",
        )
    if found:
        return found.group(2)
    if _BARE_KEY.fullmatch(text):
        return text
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise SourceError(
        "Google Sheet",
        "bad_sheet_ref",
        f"{shown!r} is not a Google Sheets link. Paste the sheet's address, like "
        "https://docs.google.com/spreadsheets/d/<key>/edit, or just its key.",
    )


def client_from_service_account(info: Mapping, session: requests.Session | None = None) -> gspread.Client:
    """A gspread client signed in as the service account ``info`` (the JSON key as a mapping).

    ``session``: the transport for every request, token requests included (its mounted
    adapters are used); tests pass one whose adapter answers with canned responses.
    Nothing is fetched until the first read. Bad keys raise ``SourceError`` ``bad_credentials``.
    """
    if not isinstance(info, Mapping):
        raise SourceError(_CREDS, "bad_credentials", f"The Google service-account key is missing. {_NEW_KEY}")
    info = {"token_uri": TOKEN_URI, **dict(info)}
    missing = [k for k in ("client_email", "private_key") if not info.get(k)]
    if missing or info.get("type", "service_account") != "service_account":
        what = f"lacks {' and '.join(missing)}" if missing else f"is of type {info.get('type')!r}"
        raise SourceError(_CREDS, "bad_credentials", f"The Google service-account key {what}. {_NEW_KEY}")
    key = str(info["private_key"])
    if "\\n" in key and "\n" not in key:  # pasted with escaped newlines
        info["private_key"] = key.replace("\\n", "\n")
    creds = None
    with contextlib.suppress(Exception):  # never echo the key-parsing error: it concerns the private key
        creds = Credentials.from_service_account_info(info, scopes=list(SCOPES))
    if creds is None:
        raise SourceError(
            _CREDS,
            "bad_credentials",
            f"The private key of {info['client_email']} could not be read. {_NEW_KEY}",
        )
    transport = session if session is not None else requests.Session()
    authed = AuthorizedSession(creds, auth_request=Request(transport))
    for prefix, adapter in transport.adapters.items():
        authed.mount(prefix, adapter)
    client = gspread.Client(auth=creds, session=authed)
    client.http_client.auth = creds  # gspread keeps `auth` only when it builds the session itself
    client.set_timeout(TIMEOUT)
    return client


def _client_email(client: gspread.Client) -> str:
    creds = getattr(client.http_client, "auth", None)
    return getattr(creds, "service_account_email", None) or "the service account"


def _api_error(exc: BaseException) -> gspread.exceptions.APIError | None:
    while exc is not None:
        if isinstance(exc, gspread.exceptions.APIError):
            return exc
        exc = exc.__cause__
    return None


def _translate(exc: Exception, source: str, key: str, email: str) -> SourceError | None:
    share = f"share the sheet with {email} (Viewer is enough)"
    network = auth_exceptions.TransportError | requests.exceptions.RequestException
    if isinstance(exc, network) or getattr(exc, "retryable", False):
        return SourceError(
            source,
            "cannot_connect",
            "Could not reach Google Sheets. Check the internet connection and retry.",
        )
    if isinstance(exc, auth_exceptions.GoogleAuthError):  # e.g. RefreshError: invalid_grant
        return SourceError(
            source, "bad_credentials", f"Google refused the service-account key of {email}. {_NEW_KEY}"
        )
    api = _api_error(exc)
    code = api.code if api is not None else None
    if isinstance(exc, gspread.exceptions.SpreadsheetNotFound) or code == 404:
        return SourceError(
            source,
            "not_found",
            f"No Google Sheet with key {key} is visible to {email}. Check the link; if it is right, {share}.",
        )
    if code == 403 or isinstance(exc, PermissionError):
        error = api.error if api is not None else {}
        if "SERVICE_DISABLED" in json.dumps(error) or "has not been used" in str(error.get("message", "")):
            return SourceError(
                source,
                "api_disabled",
                "The Google Sheets API is not enabled in the service account's Google Cloud project. "
                "Enable 'Google Sheets API' there (APIs & Services), wait a few minutes and try again.",
            )
        return SourceError(
            source, "not_shared", f"The sheet {key} is not shared with the service account: {share}."
        )
    if code == 401:
        return SourceError(
            source, "bad_credentials", f"Google did not accept the sign-in of {email}. {_NEW_KEY}"
        )
    if code is not None and (code == 429 or code >= 500):
        return SourceError(
            source,
            "cannot_connect",
            f"Google Sheets is busy or unavailable (HTTP {code}). Try again in a minute.",
        )
    if api is not None:
        text = str(api.error.get("message", ""))[:200]
        return SourceError(source, "sheets_error", f"Google Sheets refused the request (HTTP {code}): {text}")
    return None


def _pick(tabs: list[gspread.Worksheet], wanted: str | None, source: str) -> gspread.Worksheet:
    if not tabs:
        raise SourceError(source, "empty_sheet", "The spreadsheet has no worksheets.")
    if wanted is None:
        return tabs[0]
    exact = [w for w in tabs if w.title == wanted]
    loose = [w for w in tabs if w.title.strip().casefold() == wanted.strip().casefold()]
    if exact or len(loose) == 1:
        return (exact or loose)[0]
    titles = ", ".join(repr(w.title) for w in tabs)
    raise SourceError(
        source,
        "worksheet_missing",
        f"The spreadsheet has no worksheet named {wanted!r}. Its worksheets are: {titles}.",
    )


def _frame(values: list[list], source: str, title: str) -> pd.DataFrame:
    """Row 1 = header; blank rows dropped; blank cells -> NaN; every column a string column."""
    rows = [["" if v is None else str(v) for v in row] for row in values]
    filled = [row for row in rows if any(v.strip() for v in row)]
    if not filled:
        raise SourceError(
            source,
            "empty_sheet",
            f"The worksheet {title!r} is empty. Put the column names in row 1 and the data below.",
        )
    if not any(v.strip() for v in rows[0]):
        raise SourceError(
            source, "bad_header", f"Row 1 of worksheet {title!r} is empty. Put the column names in row 1."
        )
    width = max(len(row) for row in rows)
    header = [v.strip() for v in rows[0]] + [""] * (width - len(rows[0]))
    body = [row + [""] * (width - len(row)) for row in filled if row is not rows[0]]
    if not body:
        raise SourceError(
            source,
            "empty_sheet",
            f"The worksheet {title!r} has a header row but no data rows. Add the data below row 1.",
        )
    keep = []
    for col, name in enumerate(header):
        letter = rowcol_to_a1(1, col + 1)[:-1]
        if name:
            keep.append(col)
        elif any(row[col].strip() for row in body):
            raise SourceError(
                source,
                "bad_header",
                f"Column {letter} of worksheet {title!r} has values but no name in row 1. Add one.",
            )
    names = [header[c] for c in keep]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceError(
            source,
            "bad_header",
            f"Worksheet {title!r} has the column name {dupes[0]!r} more than once. Rename one.",
        )
    data = [[row[c] if row[c].strip() else None for c in keep] for row in body]
    return pd.DataFrame(data, columns=names, dtype="str")


def read_worksheet(client: gspread.Client, ref: str, worksheet: str | None = None) -> pd.DataFrame:
    """Read one worksheet (the first one when ``worksheet`` is None) into a DataFrame of strings.

    Raises ``SourceError``: bad_sheet_ref, not_shared, not_found, api_disabled, worksheet_missing,
    empty_sheet, bad_header, cannot_connect, bad_credentials, sheets_error.
    """
    key = parse_sheet_ref(ref)
    source = f"Google Sheet {key}" + (f" / {worksheet}" if worksheet else "")
    email, failure = _client_email(client), None
    log.info("reading %s as %s", source, email)
    try:
        tabs = client.open_by_key(key).worksheets()
        tab = _pick(tabs, worksheet, source)
        values = tab.get_all_values()
    except SourceError as err:
        failure = err
    except Exception as exc:
        failure = _translate(exc, source, key, email)
        if failure is None:
            raise
    if failure is None:
        try:
            return _frame(values, source, tab.title)
        except SourceError as err:
            failure = err
    log.warning("source %s failed (%s): %s", failure.source, failure.reason, failure.message)
    raise failure


def _plain(value):
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def service_account_from_config(env: Mapping[str, str], secrets: Mapping) -> dict | None:
    """The service-account key: env ``GOOGLE_SERVICE_ACCOUNT_JSON`` (JSON text, or a path to the
    JSON file), else the ``[gcp_service_account]`` table of ``.streamlit/secrets.toml``, else None."""
    raw, failure = (env.get(SERVICE_ACCOUNT_ENV) or "").strip(), None
    if raw:
        if not raw.startswith("{") and os.path.isfile(raw):
            with open(raw, encoding="utf-8") as fh:
                raw = fh.read()
        try:
            info = json.loads(raw)
        except ValueError:  # the decode error holds the whole text: never chain it
            info = None
        if not isinstance(info, dict):
            failure = SourceError(
                _CREDS,
                "bad_credentials",
                f"{SERVICE_ACCOUNT_ENV} is not a JSON service-account key. Paste the whole key file "
                "downloaded from Google Cloud (it starts with { and ends with }).",
            )
        if failure is not None:
            raise failure
        return info
    try:
        section = secrets[SERVICE_ACCOUNT_SECRET]
    except (KeyError, TypeError, AttributeError, FileNotFoundError):  # FileNotFoundError: no secrets.toml
        return None
    return _plain(section) if isinstance(section, Mapping) else None
