"""A local OpenID Connect provider for the login tests: oidc-provider-mock's Flask app served by werkzeug
on 127.0.0.1 in a thread (any client id and secret are accepted; the authorization page lists the
predefined users as one-click buttons, or takes any subject typed in), and the [auth] section of
Streamlit's secrets.toml that points the app at it."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import werkzeug.serving

__all__ = ["provider", "write_auth_secrets", "CLIENT_ID"]

CLIENT_ID = "shopcast-test"


@contextlib.contextmanager
def provider(users: dict[str, dict]) -> Iterator[str]:
    """Serve a provider with ``users`` (subject -> claims such as name and email); yields its URL."""
    app = oidc_provider_mock.app(user_claims=[oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in users.items()])
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def write_auth_secrets(path: Path, provider_url: str, app_url: str, cookie_secret: str) -> Path:
    """Streamlit's secrets.toml with the [auth] section st.login reads (one default provider)."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "not-checked-by-the-mock"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n')
    return path
