"""The Marketing page: spend against attributed orders, revenue and new customers, and cohort payback."""
