"""The page: one module per tab (its widgets, thin handlers, events and api_names) and common.py."""
