"""Properties of build_quarterly_report on random offices: totals, quarters adding up, the period's edges."""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import Office, OfficeCalendarDay, OfficeHours, User
from coordination.clients.age_bands import AgeBand, age_band
from coordination.clients.models import Client
from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
from directory.models import CounterpartCategory, District, OfficeDistrict, Provider
from reporting.quarterly import build_quarterly_report
from reporting.render.json import report_to_dict

pytestmark = pytest.mark.django_db

FISCAL_YEAR = 2025
COUNTED = (1, 2, 3, 4, 5)
# The 延べ columns, which add up over quarters; 実人数 columns (distinct clients) do not.
ADDITIVE_KEYS = {1: ("contacts",), 3: ("count",), 4: ("count",), 5: ("count",)}

properties = settings(
    max_examples=25,
    deadline=None,
    # The db fixture is set up once per test, not per example: each example rolls its own data back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # The explain phase reruns a failure thousands of times against the database: minutes, not seconds.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


# --- what a random office looks like ---------------------------------------------------------

# The reference lists are only known from the database, so a strategy draws a number and the
# dataset takes that number modulo the length of the list it picks from.
picks = st.integers(min_value=0, max_value=999)

# Quarter and fiscal-year edges, drawn often because off-by-one errors live there.
EDGES = [
    date(2025, 3, 31),
    date(2025, 4, 1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 9, 30),
    date(2025, 10, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 3, 31),
    date(2026, 4, 1),
]
days = st.one_of(st.sampled_from(EDGES), st.dates(date(2025, 3, 1), date(2026, 4, 30)))
start_times = st.one_of(
    st.none(),
    st.sampled_from([time(8, 59), time(9), time(16, 59), time(17)]),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
periods = st.tuples(st.integers(1, 4), st.integers(1, 4)).map(
    lambda quarters: FiscalPeriod(FISCAL_YEAR, min(quarters), max(quarters))
)
ranges_of_quarters = st.integers(1, 3).flatmap(
    lambda first: st.integers(first + 1, 4).map(lambda last: FiscalPeriod(FISCAL_YEAR, first, last))
)


@dataclass(frozen=True)
class ClientSpec:
    birth_date: date | None
    has_medical_care: bool
    district: int | None  # a pick among the office's districts
    municipality_outside: str
    age_band_override: str


@dataclass(frozen=True)
class CounterpartSpec:
    category: int
    provider: int | None
    organization_name: str


@dataclass(frozen=True)
class LogSpec:
    occurred_on: date
    started_at: time | None
    method: int
    activity_types: tuple[int, ...]
    counterparts: tuple[CounterpartSpec, ...]
    client: int | None  # a pick among the clients
    summary: str  # marked for the report when not empty


@dataclass(frozen=True)
class EventSpec:
    kind: str
    held_on: date
    started_at: time | None
    log: int | None  # a pick among the logs, when the event is also a counted activity


@dataclass(frozen=True)
class OfficeSpec:
    districts: int
    hours: tuple[tuple[int, time, time], ...]
    calendar_days: tuple[tuple[date, bool], ...]
    clients: tuple[ClientSpec, ...]
    logs: tuple[LogSpec, ...]
    events: tuple[EventSpec, ...]


def some(strategy, most: int):
    """Tuples of 0 to `most` values, of a uniform length: plain lists stay too short to fill a quarter."""
    return st.integers(0, most).flatmap(lambda n: st.lists(strategy, min_size=n, max_size=n).map(tuple))


# A district is one of the office's own: the model accepts any district, but §2 has rows only for
# the office's list, so a client elsewhere would drop out of it (left to the office's settings).
addresses = st.one_of(
    st.just((None, "")),  # neither: 不明
    picks.map(lambda n: (n, "")),
    st.sampled_from(["板橋区", "川口市"]).map(lambda municipality: (None, municipality)),
)
clients = st.builds(
    lambda birth_date, care, address, override: ClientSpec(birth_date, care, *address, override),
    st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2025, 12, 31))),
    st.booleans(),
    addresses,
    st.one_of(st.just(""), st.sampled_from(AgeBand.values)),
)
organizations = st.one_of(
    st.just((None, "")),  # a family member: no organization
    picks.map(lambda n: (n, "")),
    st.sampled_from(["区内医ケア児等コーディネーター", "小児地域連携事務局"]).map(lambda name: (None, name)),
)
counterparts = st.builds(lambda category, organization: CounterpartSpec(category, *organization), picks, organizations)
logs = st.builds(
    LogSpec,
    days,
    start_times,
    picks,
    st.lists(picks, min_size=1, max_size=3).map(tuple),
    st.lists(counterparts, max_size=3).map(tuple),
    st.one_of(st.none(), picks),
    st.sampled_from(["", "母の不安傾聴", "訪問看護の調整"]),
)
events = st.builds(EventSpec, st.sampled_from(EventKind.values), days, start_times, st.one_of(st.none(), picks))
weekly_hours = st.dictionaries(
    st.integers(0, 6), st.sampled_from([(time(9), time(17)), (time(10), time(16))]), min_size=1
).map(lambda by_day: tuple((weekday, *hours) for weekday, hours in sorted(by_day.items())))
offices = st.builds(
    OfficeSpec,
    st.integers(0, 3),
    weekly_hours,
    st.lists(st.tuples(days, st.booleans()), max_size=3, unique_by=lambda day: day[0]).map(tuple),
    some(clients, 6),
    some(logs, 30),
    some(events, 4),
)


# --- building it in the database -------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The leaves of the report's category trees, in report order, and a few providers."""

    methods: list[ContactMethod]
    activity_types: list[ActivityType]
    categories: list[CounterpartCategory]
    providers: list[Provider]

    def _repr_pretty_(self, printer, cycle):  # keeps hypothesis's falsifying examples short
        printer.text("Reference(...)")


@dataclass(frozen=True)
class RecordedLog:
    """A log as created, for counting what the report should say."""

    pk: int
    occurred_on: date
    client: Client | None
    method: ContactMethod
    activity_types: tuple[ActivityType, ...]
    counterparts: tuple[Counterpart, ...]
    summary: str


@dataclass(frozen=True)
class Dataset:
    office: Office
    districts: list[District]
    coordinator: User
    logs: list[RecordedLog]
    events: list[Event]


@pytest.fixture
def reference() -> Reference:
    def leaves(model):
        return [node for node, _ in model.objects.leaf_paths()]

    return Reference(
        leaves(ContactMethod),
        leaves(ActivityType),
        leaves(CounterpartCategory),
        list(Provider.objects.order_by("pk")[:20]),
    )


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back, so hypothesis's examples do not pile up."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def pick(items: list, number: int | None):
    return items[number % len(items)] if number is not None and items else None


def create_office(spec: OfficeSpec, ref: Reference) -> Dataset:
    office = Office.objects.create(name="性質テスト事業所", municipality="テスト区")
    districts = [
        District.objects.create(code=f"property-{n}", name=f"テスト第{n}地区", municipality="テスト区")
        for n in range(1, spec.districts + 1)
    ]
    OfficeDistrict.objects.bulk_create(
        OfficeDistrict(office=office, district=district, position=position)
        for position, district in enumerate(districts, start=1)
    )
    OfficeHours.objects.bulk_create(
        OfficeHours(office=office, weekday=weekday, opens_at=opens, closes_at=closes)
        for weekday, opens, closes in spec.hours
    )
    OfficeCalendarDay.objects.bulk_create(
        OfficeCalendarDay(
            office=office,
            date=day,
            is_open=is_open,
            opens_at=time(10) if is_open else None,
            closes_at=time(15) if is_open else None,
        )
        for day, is_open in spec.calendar_days
    )
    coordinator = User.objects.create(username="property-coordinator", office=office)
    clients = Client.objects.bulk_create(
        Client(
            office=office,
            name=f"対象者{n}",
            birth_date=c.birth_date,
            has_medical_care=c.has_medical_care,
            district=pick(districts, c.district),
            municipality_outside=c.municipality_outside,
            age_band_override=c.age_band_override,
            age_band_override_reason="就学猶予" if c.age_band_override else "",
        )
        for n, c in enumerate(spec.clients)
    )
    dataset = Dataset(office, districts, coordinator, [], [])
    add_logs(dataset, spec.logs, clients, ref)
    linked = set()
    for event in spec.events:
        log = pick(dataset.logs, event.log)
        if log is not None and log.pk in linked:  # one event per log at most
            log = None
        if log is not None:
            linked.add(log.pk)
        add_event(dataset, event, log)
    return dataset


def add_logs(dataset: Dataset, specs: tuple[LogSpec, ...], clients: list[Client], ref: Reference) -> list[RecordedLog]:
    """Bulk inserts: the records are what the report reads, and no signal (history) slows them down."""
    logs = ContactLog.objects.bulk_create(
        ContactLog(
            office=dataset.office,
            occurred_on=spec.occurred_on,
            started_at=spec.started_at,
            coordinator=dataset.coordinator,
            client=pick(clients, spec.client),
            method=pick(ref.methods, spec.method),
            report_summary=spec.summary,
            include_in_report=bool(spec.summary),
        )
        for spec in specs
    )
    types = [tuple(dict.fromkeys(pick(ref.activity_types, n) for n in spec.activity_types)) for spec in specs]
    through = ContactLog.activity_types.through
    through.objects.bulk_create(
        through(contactlog_id=log.pk, activitytype_id=t.pk) for log, log_types in zip(logs, types) for t in log_types
    )
    counterparts = [
        [
            Counterpart(
                contact_log=log,
                category=pick(ref.categories, c.category),
                provider=pick(ref.providers, c.provider),
                organization_name=c.organization_name,
            )
            for c in spec.counterparts
        ]
        for log, spec in zip(logs, specs)
    ]
    Counterpart.objects.bulk_create(c for log_counterparts in counterparts for c in log_counterparts)
    recorded = [
        RecordedLog(
            log.pk, log.occurred_on, log.client, log.method, log_types, tuple(log_counterparts), log.report_summary
        )
        for log, log_types, log_counterparts in zip(logs, types, counterparts)
    ]
    dataset.logs.extend(recorded)
    return recorded


def add_event(dataset: Dataset, spec: EventSpec, log: RecordedLog | None) -> Event:
    [event] = Event.objects.bulk_create(
        [
            Event(
                office=dataset.office,
                kind=spec.kind,
                name="テスト行事",
                held_on=spec.held_on,
                started_at=spec.started_at,
                contact_log_id=log.pk if log else None,
            )
        ]
    )
    dataset.events.append(event)
    return event


# --- what the report should say, counted from the dataset ------------------------------------


def in_period(dataset: Dataset, period: FiscalPeriod) -> list[RecordedLog]:
    return [log for log in dataset.logs if log.occurred_on in period]


def band_of(client: Client) -> str:
    return client.age_band_override or age_band(client.birth_date, FISCAL_YEAR).value


def area_of(client: Client) -> str:
    return client.district.code if client.district_id else "outside" if client.municipality_outside else "unknown"


def values(section) -> dict[str, dict[str, int]]:
    return {row.key: row.values for row in section.rows}


def counts(section) -> Counter:
    """A counted section's non-zero rows, as a Counter keyed by the leaf's code."""
    return Counter({row.key: row.values["count"] for row in section.rows if row.values["count"]})


def pieces(text: str, separator: str) -> Counter:
    return Counter(text.split(separator) if text else [])


# --- the properties --------------------------------------------------------------------------


@properties
@given(spec=offices, period=periods)
def test_each_total_is_the_sum_of_its_rows(reference, spec, period):
    """Sections 1–5: the total, on screen and in the JSON, adds up the rows and counts the period's records."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
    logs = in_period(dataset, period)
    clients = {log.client.pk for log in logs if log.client}
    expected = {
        1: {"clients": len(clients), "contacts": sum(1 for log in logs if log.client)},
        2: {"clients": len(clients)},
        3: {"count": sum(len(log.counterparts) for log in logs)},
        4: {"count": len(logs)},
        5: {"count": sum(len(log.activity_types) for log in logs)},
    }
    json_sections = {section["number"]: section for section in report_to_dict(report)["sections"]}
    for number in COUNTED:
        section = report.section(number)
        sums = {key: sum(row.values[key] for row in section.rows) for key in section.keys}
        assert section.total == sums == json_sections[number]["total"]
        assert {key: sums[key] for key in expected[number]} == expected[number]


@properties
@given(spec=offices, period=periods)
def test_with_and_without_care_add_up_to_the_clients_on_every_row(reference, spec, period):
    """Section 1: 医ケア 有 + 無 = 実人数, row by row."""
    with rolled_back():
        dataset = create_office(spec, reference)
        section = build_quarterly_report(dataset.office, period).section(1)
    for row in section.rows:
        assert row.values["with_care"] + row.values["without_care"] == row.values["clients"], row.path


@properties
@given(spec=offices, period=periods)
def test_sections_1_and_2_count_the_same_clients(reference, spec, period):
    """Every client counted by age band is counted once by address, in the row of their address."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
    clients = {log.client.pk: log.client for log in in_period(dataset, period) if log.client}
    assert report.section(1).total["clients"] == report.section(2).total["clients"] == len(clients)
    by_area = Counter(area_of(client) for client in clients.values())
    assert {key: v["clients"] for key, v in values(report.section(2)).items() if v["clients"]} == by_area


@properties
@given(spec=offices, period=periods)
def test_every_row_counts_the_records_of_the_period(reference, spec, period):
    """Row by row, the report says what a hand count of the period's logs says, texts included."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
    logs = in_period(dataset, period)

    bands = {band.value: {"clients": set(), "contacts": 0, "with_care": set()} for band in AgeBand}
    for log in logs:
        if log.client:
            band = bands[band_of(log.client)]
            band["clients"].add(log.client.pk)
            band["contacts"] += 1
            if log.client.has_medical_care:
                band["with_care"].add(log.client.pk)
    assert {key: (v["clients"], v["contacts"], v["with_care"]) for key, v in values(report.section(1)).items()} == {
        key: (len(b["clients"]), b["contacts"], len(b["with_care"])) for key, b in bands.items()
    }

    counterparts = [c for log in logs for c in log.counterparts]
    assert counts(report.section(3)) == Counter(c.category.code for c in counterparts)
    assert counts(report.section(4)) == Counter(log.method.code for log in logs)
    assert counts(report.section(5)) == Counter(t.code for log in logs for t in log.activity_types)

    for row in report.section(3).rows:
        names = {
            c.provider.name if c.provider else c.organization_name for c in counterparts if c.category.code == row.key
        }
        assert set(pieces(row.text, ", ")) == names - {""}
    for row in report.section(5).rows:
        summaries = [log.summary for log in logs if log.summary and row.key in {t.code for t in log.activity_types}]
        assert pieces(row.text, "、") == Counter(summaries)


@properties
@given(spec=offices, period=ranges_of_quarters)
def test_a_range_of_quarters_adds_up_its_single_quarters(reference, spec, period):
    """Every 延べ count of Q1–Qn is the row-wise sum of the single quarters' reports."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
        quarters = [build_quarterly_report(dataset.office, quarter) for quarter in period.single_quarters()]

    for number, keys in ADDITIVE_KEYS.items():
        for row in report.section(number).rows:
            for key in keys:
                assert row.values[key] == sum(values(q.section(number))[row.key][key] for q in quarters), (
                    number,
                    row.path,
                )
    for attribute in ("business_days", "out_of_hours", "activities"):
        assert getattr(report, attribute) == sum(getattr(q, attribute) for q in quarters), attribute
    assert report.monthly_methods.months == sum((q.monthly_methods.months for q in quarters), ())
    for index, (label, monthly) in enumerate(report.monthly_methods.series):
        assert monthly == sum((q.monthly_methods.series[index][1] for q in quarters), ()), label
    for s, section in enumerate(report.event_sections):
        for t, table in enumerate(section.tables):
            assert table.rows == sum((q.event_sections[s].tables[t].rows for q in quarters), ())

    # Distinct clients do not add up, but a range has at least each quarter's and at most their sum.
    for row in report.section(1).rows:
        by_quarter = [values(q.section(1))[row.key]["clients"] for q in quarters]
        assert max(by_quarter) <= row.values["clients"] <= sum(by_quarter), row.path


@properties
@given(
    spec=offices,
    period=periods,
    extra=logs,
    after=st.booleans(),
    distance=st.integers(1, 60),
    with_new_client=st.booleans(),
    event_kind=st.sampled_from(EventKind.values),
    event_is_the_log=st.booleans(),
)
def test_a_log_outside_the_period_changes_nothing(
    reference, spec, period, extra, after, distance, with_new_client, event_kind, event_is_the_log
):
    """A log (and an event) dated just before the start or after the end leaves every number and text as it was."""
    day = period.end + timedelta(days=distance) if after else period.start - timedelta(days=distance)
    with rolled_back():
        dataset = create_office(spec, reference)
        before = build_quarterly_report(dataset.office, period)
        clients = list(Client.objects.filter(office=dataset.office).order_by("pk"))
        if with_new_client or not clients:
            clients.append(Client.objects.create(office=dataset.office, name="期間外の対象者", has_medical_care=True))
        extra = LogSpec(
            day,
            extra.started_at,
            extra.method,
            extra.activity_types,
            extra.counterparts,
            len(clients) - 1 if with_new_client else extra.client,
            "期間外の要約",
        )
        [log] = add_logs(dataset, (extra,), clients, reference)
        add_event(dataset, EventSpec(event_kind, day, extra.started_at, None), log if event_is_the_log else None)
        assert build_quarterly_report(dataset.office, period) == before


@properties
@given(spec=offices, period=periods)
def test_there_is_one_row_per_leaf_whatever_the_data(reference, spec, period):
    """Rows with nothing to count are still there, in report order, and carry no text."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
    assert [row.key for row in report.section(1).rows] == AgeBand.values
    assert [row.key for row in report.section(2).rows] == [d.code for d in dataset.districts] + ["outside", "unknown"]
    for number, leaves, expected in (
        (3, reference.categories, 37),
        (4, reference.methods, 16),
        (5, reference.activity_types, 63),
    ):
        section = report.section(number)
        assert [row.key for row in section.rows] == [leaf.code for leaf in leaves]
        assert len(section.rows) == expected
        assert all(not row.text for row in section.rows if not row.values["count"])


@properties
@given(spec=offices, period=periods)
def test_the_header_counts_logs_and_unlinked_events_as_activities(reference, spec, period):
    """Activities = the period's logs + its outreach, meetings and trainings that have no log of their own."""
    with rolled_back():
        dataset = create_office(spec, reference)
        report = build_quarterly_report(dataset.office, period)
    events = [event for event in dataset.events if event.held_on in period]
    unlinked = [e for e in events if e.contact_log_id is None and e.kind != EventKind.OTHER]
    assert report.activities == len(in_period(dataset, period)) + len(unlinked)
    assert 0 <= report.out_of_hours <= report.activities
    # Each kind's table is titled with the kind's label.
    listed = Counter({table.title: len(table.rows) for section in report.event_sections for table in section.tables})
    assert listed == Counter(EventKind(event.kind).label for event in events)
    assert sum(sum(monthly) for _, monthly in report.monthly_methods.series) == report.section(4).total["count"]
