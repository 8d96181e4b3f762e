"""The Sources page (data view)."""
