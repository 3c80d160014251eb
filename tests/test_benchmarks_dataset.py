"""The shared benchmark data set's generator holds its shape, on a tiny size (both databases)."""

import random
from collections import Counter
from datetime import date

import pytest
from django.db.models import Count

from accounts.models import Office
from benchmarks import dataset
from coordination.clients.models import Client
from coordination.fiscal import fiscal_year_of
from coordination.logs.models import ContactLog, Counterpart

pytestmark = pytest.mark.django_db

SHAPE = dataset.Shape(offices=5, large_offices=2, clients_per_large=30, logs=400, providers=0)
DAYS = (date(2024, 4, 1), date(2026, 3, 31))


@pytest.fixture
def generated():
    rng = random.Random(1)
    before = set(ContactLog.objects.values_list("pk", flat=True))
    dataset.add_offices(2, rng, SHAPE)
    offices = [o for o in dataset.load_offices() if o.name.startswith(dataset.GENERATED_PREFIX)]
    targets = dataset.client_targets(offices, SHAPE)
    for office in offices:
        dataset.add_clients(office, targets[office.pk], rng)
    dataset.add_logs(SHAPE.logs, offices, dataset.log_shares(offices, rng), rng, days=DAYS, quiet=True)
    return offices, ContactLog.objects.exclude(pk__in=before)


def test_the_large_office_holds_its_clients_and_the_others_fewer_or_more_by_coordinators(generated):
    offices, _ = generated
    large = Office.objects.get(name=dataset.generated_office_name(1))
    assert Client.objects.filter(office=large).count() == SHAPE.clients_per_large
    assert dataset.large_office_names(SHAPE)[0] == "北区医療的ケア児等コーディネーター事業"  # the load test's office
    assert {o.name for o in offices} == {dataset.generated_office_name(1), dataset.generated_office_name(2)}


def test_logs_have_one_to_three_counterparts_and_activity_types_over_the_fiscal_years(generated):
    _, logs = generated
    assert logs.count() == SHAPE.logs
    types = Counter(logs.annotate(n=Count("activity_types")).values_list("n", flat=True))
    parties = Counter(
        Counterpart.objects.filter(contact_log__in=logs)
        .values("contact_log")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert set(types) == {1, 2, 3}
    assert set(parties) <= {1, 2, 3} and {1, 2, 3} - set(parties) <= {3}  # a rare 3 may dedupe to 2
    assert sum(parties.values()) == SHAPE.logs  # every log has a counterpart
    years = {fiscal_year_of(day) for day in logs.values_list("occurred_on", flat=True)}
    assert years == {2024, 2025}
    # Saved through COPY or executemany, they read back through the models as any log does.
    log = logs.select_related("method").first()
    assert log.method and log.coordinator.office_id == log.office_id
