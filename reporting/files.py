"""The report's files as users download them: a finalized version byte for byte, else the draft now."""

from accounts.models import Office
from coordination.fiscal import FiscalPeriod

from . import selectors
from .quarterly import build_quarterly_report
from .render import FORMATS
from .render.json import report_from_dict


class NoSuchVersion(LookupError):
    pass


def report_file(
    office: Office,
    period: FiscalPeriod,
    identifier: str,
    *,
    version_number: int | None = None,
    compare: bool = False,
    charts: bool = False,
) -> bytes:
    """The file in one format; `compare` adds the prior-period column and `charts` the charts where the
    format has them (a finalized version's stored file has neither: it is rendered again from its data)."""
    format = FORMATS[identifier]
    if version_number is not None:
        version = selectors.version_of(office, period, version_number)
        if version is None:
            raise NoSuchVersion(version_number)
        report = None
    else:
        state = selectors.report_state(office, period)
        version, report = (state.latest if state.is_final else None), state.report
    compare = compare and format.takes_previous
    charts = charts and format.takes_charts
    if version is not None and not compare and not charts:
        return version.file(identifier)
    if version is not None:
        report = report_from_dict(version.data)
    previous = build_quarterly_report(office, period.previous_year()) if compare else None
    made_at = version.finalized_at if version is not None else None
    return format.render(report, previous, made_at=made_at, charts=charts)
