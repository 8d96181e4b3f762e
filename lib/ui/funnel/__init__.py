"""The Funnel page (view, and parts: its cached queries and pure helpers)."""
