"""Japanese era (和暦) labels; the rules live in `tabular.wareki` (directory imports read dates too)."""
from tabular.wareki import ERAS, Era, EraYear, era_of, era_year, era_year_of_calendar_year, format_date, format_wareki

__all__ = ["ERAS", "Era", "EraYear", "era_of", "era_year", "era_year_of_calendar_year", "format_date", "format_wareki"]
