"""The Replenishment page (view, and parts: its inputs, tiles and files)."""
