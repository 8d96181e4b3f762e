"""Google Sheets source, fully offline, through gspread's real Client and google-auth's real
service-account sign-in.

How: the test generates an RSA key and builds a genuine service-account key dict with it. The
``requests.Session`` handed to ``client_from_service_account`` has a mounted adapter
(``CannedGoogle``) that answers like Google: the OAuth token endpoint (after verifying the
signed JWT assertion with the public key) and the Sheets API v4 with canned JSON from
``tests/fixtures/sheets/`` (spreadsheet metadata, values ranges, error bodies), much as gspread's
own tests replay recorded responses. Every other URL fails the test.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt
from requests.adapters import BaseAdapter

from lib.sources.errors import SourceError
from lib.sources.sheets import (
    SCOPES,
    client_from_service_account,
    parse_sheet_ref,
    read_worksheet,
    service_account_from_config,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
KEY = "1Qp7Xv3Lr9sTzA2bC4dE6fG8hJ0kLmNoPqRsTuVwXyZa"
EMAIL = "shopcast-reader@shopcast-test.iam.gserviceaccount.com"
TOKEN_URI = "https://oauth2.googleapis.com/token"
SHEETS = f"/v4/spreadsheets/{KEY}"
ACCESS_TOKEN = json.loads((FIXTURES / "token_ok.json").read_text())["access_token"]
VALUES = {
    "Orders": "values_orders.json",
    "Products": "values_products.json",
    "Header only": "values_header_only.json",
    "Blank": "values_blank.json",
    "Duplicate header": "values_duplicate_header.json",
}


def canned_routes() -> dict[tuple[str, str], tuple[int, str]]:
    routes = {("POST", "/token"): (200, "token_ok.json"), ("GET", SHEETS): (200, "spreadsheet.json")}
    for title, name in VALUES.items():
        routes[("GET", f"{SHEETS}/values/'{title}'")] = (200, name)
    return routes


class CannedGoogle(BaseAdapter):
    """Answers Google's token endpoint and Sheets API v4 from fixture files."""

    def __init__(self, public_pem: bytes, routes: dict, raise_exc: Exception | None = None):
        super().__init__()
        self.public_pem, self.routes, self.raise_exc = public_pem, routes, raise_exc
        self.seen: list[tuple[str, str]] = []

    def send(self, request, **kwargs):
        if self.raise_exc is not None:
            raise self.raise_exc
        parts = urlsplit(request.url)
        path = unquote(parts.path)
        self.seen.append((request.method, path))
        if parts.netloc == "oauth2.googleapis.com":
            assertion = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())[
                "assertion"
            ][0]
            claims = jwt.decode(assertion, certs=self.public_pem.decode(), audience=TOKEN_URI)
            assert claims["iss"] == EMAIL and set(claims["scope"].split()) == set(SCOPES)
        else:
            assert parts.netloc == "sheets.googleapis.com", request.url
            assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        if (request.method, path) not in self.routes:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        status, name = self.routes[(request.method, path)]
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        response._content, response.encoding = (FIXTURES / name).read_bytes(), "utf-8"
        return response

    def close(self):
        pass


@pytest.fixture(scope="module")
def keypair() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def info(keypair) -> dict:
    return {
        "type": "service_account",
        "project_id": "shopcast-test",
        "private_key_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4",
        "private_key": keypair[0],
        "client_email": EMAIL,
        "client_id": "104857600000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": TOKEN_URI,
    }


def make_client(info, keypair, routes=None, raise_exc=None):
    adapter = CannedGoogle(keypair[1], canned_routes() if routes is None else routes, raise_exc)
    session = requests.Session()
    session.mount("https://", adapter)
    return client_from_service_account(info, session=session), adapter


def expect_error(reason: str, client, ref, worksheet=None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_worksheet(client, ref, worksheet)
    assert caught.value.reason == reason, caught.value
    return caught.value


# --- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing",
        f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/view",
        f"docs.google.com/spreadsheets/d/{KEY}",
        f"  {KEY}\n",
    ],
)
def test_parse_sheet_ref_accepts_links_and_keys(ref):
    assert parse_sheet_ref(ref) == KEY


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "orders",
        "https://example.com/spreadsheets/d/abc",
        f"https://drive.google.com/file/d/{KEY}/view",
        "https://docs.google.com/spreadsheets/d/e/2PACX-1vQexamplePublishedId/pubhtml",
        f"{KEY}; drop",
    ],
)
def test_parse_sheet_ref_rejects_other_text(ref):
    with pytest.raises(SourceError) as caught:
        parse_sheet_ref(ref)
    assert caught.value.reason == "bad_sheet_ref"
    assert "link" in caught.value.message


# --- happy paths ----------------------------------------------------------------------------


def test_reads_first_worksheet_by_key_by_default(info, keypair):
    client, adapter = make_client(info, keypair)
    frame = read_worksheet(client, KEY, None)
    expected = pd.DataFrame(
        {
            "order_id": ["1001", "1002", "1003"],
            "ordered_at": ["2026-03-01 09:15", "2026-03-01 10:02", "2026-03-02 18:40"],
            "customer_id": ["C-17", "C-08", "C-17"],
            "sku": ["TEE-BLK-M", "MUG-WHT", "TEE-BLK-M"],
            "quantity": ["2", "1", "-1"],
            "unit_price": ["19.90", "8.50", "19.90"],
            "discount": [np.nan, np.nan, "2.00"],
        },
        dtype="str",
    )
    pd.testing.assert_frame_equal(frame, expected)
    # one sign-in, then metadata and the first sheet's values, all through gspread's client
    assert adapter.seen[0] == ("POST", "/token")
    assert adapter.seen[-1] == ("GET", f"{SHEETS}/values/'Orders'")
    assert adapter.seen.count(("POST", "/token")) == 1


def test_reads_named_worksheet_by_url(info, keypair):
    client, _ = make_client(info, keypair)
    frame = read_worksheet(
        client, f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=1873456120", "Products"
    )
    expected = pd.DataFrame(
        {
            "sku": ["TEE-BLK-M", "MUG-WHT"],
            "name": ["Tee, black, M", "Mug, white"],
            "category": ["Apparel", "Home"],
            "unit_cost": ["6.10", np.nan],
            "price": ["19.90", "8.50"],
        },
        dtype="str",
    )
    pd.testing.assert_frame_equal(frame, expected)


def test_worksheet_title_tolerates_case_and_spaces(info, keypair):
    client, _ = make_client(info, keypair)
    assert list(read_worksheet(client, KEY, " products ").columns)[0] == "sku"


# --- sheet content problems -----------------------------------------------------------------


def test_header_only_sheet_is_empty(info, keypair):
    client, _ = make_client(info, keypair)
    err = expect_error("empty_sheet", client, KEY, "Header only")
    assert "header row but no data rows" in err.message and "'Header only'" in err.message


def test_blank_sheet_is_empty(info, keypair):
    client, _ = make_client(info, keypair)
    err = expect_error("empty_sheet", client, KEY, "Blank")
    assert "'Blank' is empty" in err.message


def test_duplicate_header_is_named(info, keypair):
    client, _ = make_client(info, keypair)
    err = expect_error("bad_header", client, KEY, "Duplicate header")
    assert "'price' more than once" in err.message


def test_missing_worksheet_lists_the_existing_ones(info, keypair):
    client, _ = make_client(info, keypair)
    err = expect_error("worksheet_missing", client, KEY, "Inventory")
    assert "'Inventory'" in err.message
    assert "'Orders', 'Products', 'Header only', 'Blank', 'Duplicate header'" in err.message


# --- access and transport problems ----------------------------------------------------------


def routes_with(status: int, fixture: str, path: str = SHEETS) -> dict:
    routes = canned_routes()
    routes[("GET", path)] = (status, fixture)
    return routes


def test_forbidden_means_not_shared_and_names_the_service_account(info, keypair):
    client, _ = make_client(info, keypair, routes_with(403, "error_403.json"))
    err = expect_error("not_shared", client, KEY)
    assert EMAIL in err.message and "share the sheet" in err.message


def test_forbidden_on_values_read_is_also_not_shared(info, keypair):
    client, _ = make_client(info, keypair, routes_with(403, "error_403.json", f"{SHEETS}/values/'Orders'"))
    assert EMAIL in expect_error("not_shared", client, KEY).message


def test_not_found_says_check_link_or_share(info, keypair):
    client, _ = make_client(info, keypair, routes_with(404, "error_404.json"))
    err = expect_error("not_found", client, f"https://docs.google.com/spreadsheets/d/{KEY}/edit")
    assert KEY in err.message and EMAIL in err.message


def test_disabled_sheets_api_is_not_blamed_on_sharing(info, keypair):
    client, _ = make_client(info, keypair, routes_with(403, "error_403_api_disabled.json"))
    err = expect_error("api_disabled", client, KEY)
    assert "Enable 'Google Sheets API'" in err.message


def test_unavailable_api_is_cannot_connect(info, keypair):
    client, _ = make_client(info, keypair, routes_with(503, "error_503.json"))
    assert "HTTP 503" in expect_error("cannot_connect", client, KEY).message


def test_network_failure_is_cannot_connect(info, keypair):
    client, _ = make_client(info, keypair, raise_exc=requests.exceptions.ConnectionError("no route to host"))
    assert "internet connection" in expect_error("cannot_connect", client, KEY).message


def test_refused_key_is_bad_credentials(info, keypair):
    routes = canned_routes()
    routes[("POST", "/token")] = (400, "token_invalid_grant.json")
    client, _ = make_client(info, keypair, routes)
    assert EMAIL in expect_error("bad_credentials", client, KEY).message


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"private_key": ""},
        {"client_email": None},
        {"type": "authorized_user"},
        {"private_key": "-----BEGIN PRIVATE KEY-----\nnot-a-key-Zx81Qw\n-----END PRIVATE KEY-----\n"},
    ],
)
def test_unusable_key_is_bad_credentials_without_echoing_it(info, change):
    with pytest.raises(SourceError) as caught:
        client_from_service_account({**info, **change})
    err = caught.value
    assert err.reason == "bad_credentials"
    assert "not-a-key-Zx81Qw" not in str(err) and err.__cause__ is None and err.__context__ is None


def test_key_pasted_with_escaped_newlines_still_works(info, keypair):
    client, _ = make_client({**info, "private_key": info["private_key"].replace("\n", "\\n")}, keypair)
    assert len(read_worksheet(client, KEY, "Products")) == 2


def test_private_key_never_reaches_logs_or_errors(info, keypair, caplog):
    caplog.set_level(logging.DEBUG)
    key_body = keypair[0].splitlines()[5]
    client, _ = make_client(info, keypair)
    read_worksheet(client, KEY)
    bad_client, _ = make_client(info, keypair, routes_with(403, "error_403.json"))
    with pytest.raises(SourceError) as caught:
        read_worksheet(bad_client, KEY)
    assert key_body not in caplog.text
    assert key_body not in repr(caught.value) and key_body not in str(caught.value)


class Secrets(Mapping):
    """Read-only mapping like ``st.secrets``; ``missing=True`` behaves like no secrets.toml."""

    def __init__(self, data, missing=False):
        self._data, self._missing = data, missing

    def __getitem__(self, key):
        if self._missing:
            raise FileNotFoundError("No secrets found")
        value = self._data[key]
        return Secrets(value) if isinstance(value, dict) else value

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


def test_service_account_from_secrets_table(info):
    got = service_account_from_config({}, Secrets({"gcp_service_account": info}))
    assert got == info and type(got) is dict


def test_service_account_env_json_wins_over_secrets(info):
    env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(info)}
    assert service_account_from_config(env, Secrets({"gcp_service_account": {"x": 1}})) == info


def test_service_account_env_may_be_a_path(info, tmp_path):
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    assert service_account_from_config({"GOOGLE_SERVICE_ACCOUNT_JSON": str(path)}, {}) == info


@pytest.mark.parametrize("secrets", [{}, Secrets({}, missing=True), {"gcp_service_account": "oops"}])
def test_service_account_absent_is_none(secrets):
    assert service_account_from_config({"GOOGLE_SERVICE_ACCOUNT_JSON": "  "}, secrets) is None


def test_service_account_bad_json_does_not_echo_it(info):
    raw = json.dumps(info)[:-5]  # truncated paste
    with pytest.raises(SourceError) as caught:
        service_account_from_config({"GOOGLE_SERVICE_ACCOUNT_JSON": raw}, {})
    err = caught.value
    assert err.reason == "bad_credentials"
    assert "PRIVATE KEY" not in str(err) and err.__cause__ is None and err.__context__ is None
