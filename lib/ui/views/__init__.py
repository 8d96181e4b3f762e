"""The Saved views page."""
