"""Dates as people type them; the parser lives in `tabular.dates` (directory imports read dates too)."""
from tabular.dates import FORMATS_HINT, INVALID, parse_date, refuse_future

__all__ = ["FORMATS_HINT", "INVALID", "parse_date", "refuse_future"]
