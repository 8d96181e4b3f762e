"""nginx in front of the app replicas: the configuration `make team` writes and runs.

Session affinity by a cookie, not ip_hash: a Streamlit session lives in one server process (its
WebSocket, uploads and media files must reach the replica that holds it), and ip_hash would send every
user behind one office NAT (and, on one machine, every client on 127.0.0.1) to the same replica. The
first response picks a replica at random (`split_clients` over the request id) and sets
`shopcast_replica=<name>` (HttpOnly, SameSite=Lax); the browser's later requests (the WebSocket
included) carry it and reach the same replica. A cookie naming a replica that no longer exists (the team
restarted with fewer) is ignored and replaced. Each response names its replica in `X-Shopcast-Replica`.
Nothing here is secret: the cookie only says which process holds the session; the session's own state
and every saved thing live in the shared warehouse.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["AFFINITY_COOKIE", "REPLICA_HEADER", "replica_names", "render_config"]

AFFINITY_COOKIE = "shopcast_replica"
REPLICA_HEADER = "X-Shopcast-Replica"


def replica_names(n: int) -> list[str]:
    return [f"r{i}" for i in range(1, n + 1)]


def _split(names: list[str]) -> str:
    """split_clients lines giving each replica an equal share (percentages to one decimal)."""
    n = len(names)
    if n == 1:
        return f"        * {names[0]};"
    share = round(100.0 / n, 1)
    lines = [f"        {share}% {name};" for name in names[:-1]]
    return "\n".join([*lines, f"        * {names[-1]};"])


def render_config(prefix: Path, port: int, replica_ports: list[int], *, listen: str = "127.0.0.1") -> str:
    """The whole nginx.conf: runs in the foreground under `prefix` (logs, temp files, pid)."""
    names = replica_names(len(replica_ports))
    upstreams = "\n".join(f"    upstream {name} {{ server 127.0.0.1:{p} max_fails=0; keepalive 8; }}"
                          for name, p in zip(names, replica_ports, strict=True))
    known = "\n".join(f"        {name} {name};" for name in names)
    prefix = Path(prefix)
    return f"""# written by lib/ops/nginx.py for `make team`; rewritten at every start
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 300m;          # as .streamlit/config.toml's server.maxUploadSize

    split_clients "${{request_id}}" $shopcast_new_replica {{
{_split(names)}
    }}
    map $cookie_{AFFINITY_COOKIE} $shopcast_replica {{
{known}
        default $shopcast_new_replica;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}
{upstreams}

    server {{
        listen {listen}:{port};
        location / {{
            proxy_pass http://$shopcast_replica;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;      # with its port: links the app builds point back here
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;      # a Streamlit session is one long WebSocket
            proxy_send_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie "{AFFINITY_COOKIE}=$shopcast_replica; Path=/; HttpOnly; SameSite=Lax" always;
            add_header {REPLICA_HEADER} $shopcast_replica always;
        }}
    }}
}}
"""
