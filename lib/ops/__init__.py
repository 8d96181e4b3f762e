"""Running Shopcast for a team (`make team`): a PostgreSQL cluster of the project's own, app replicas and
nginx in front of them, in one process group (lib.ops.team). No Streamlit here; nothing imports this
package but its own entry point and the tests."""
