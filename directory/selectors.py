"""Reads of the directory, each shaped for one page."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from . import fts
from .links import ACCEPTANCE_PREFIX, value_text
from .models import (
    Acceptance,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    ProposalStatus,
    Provider,
    ProviderLink,
    ProviderProcedure,
    ProviderProposal,
)
from .search import query_keys


def office_districts(office) -> list[District]:
    """The districts an office covers, in the report's order (one query)."""
    links = OfficeDistrict.objects.filter(office=office).select_related("district").order_by("position")
    return [link.district for link in links]


def matching_query(query: str) -> Q:
    """Providers whose name, フリガナ, address or romaji reading contains the query (folded).

    `search_text LIKE '%key%'` for each key; PostgreSQL answers it from its trigram index. On
    SQLite the keys of three or more characters are looked up in the FTS5 trigram index instead
    (directory/fts.py: the same rows, without a scan of the table). A key of two characters is
    looked up among the texts' bigrams on both databases (directory/fts.py); one character stays a LIKE.
    For a queryset of Provider itself: PostgreSQL's bigram condition names the provider table.
    """
    keys = query_keys(query)
    indexed = [key for key in keys if len(key) >= fts.MIN_LENGTH] if fts.applies_to(connection) else []
    bigrams = [key for key in keys if len(key) == 2] if fts.has_bigram_index(connection) else []
    condition = Q()
    if indexed:
        condition |= Q(pk__in=RawSQL(*fts.match_sql(indexed)))
    for key in bigrams:
        if connection.vendor == "postgresql":
            condition |= Q(RawSQL(*fts.bigram_condition_sql(key), output_field=BooleanField()))
        else:
            condition |= Q(pk__in=RawSQL(*fts.bigram_sql(key)))
    for key in keys:
        if key not in indexed and key not in bigrams:
            condition |= Q(search_text__contains=key)
    return condition


def kana_order(query: str, *rest) -> list:
    """ORDER BY フリガナ then `rest` (name, pk…) for providers found by `query`.

    On PostgreSQL a two-character word's matches come from the bigram index, which the planner
    estimates well but not where they fall in フリガナ order: with a LIMIT it would walk the フリガナ
    index testing each provider (the matches of 王子 lie 40,000 providers in: 2.3 s). For such a search
    the first term is `name_kana || ''`, the same order through an expression no index serves, so the
    matches are read from the index and sorted (8 ms at 100,000 providers, 9,800 matches).
    """
    bigram_search = connection.vendor == "postgresql" and any(len(key) == 2 for key in query_keys(query or ""))
    first = Concat(F("name_kana"), Value(""), output_field=CharField()) if bigram_search else F("name_kana")
    return [first.asc(), *rest]


def provider_municipalities() -> list[str]:
    """The distinct municipalities providers are in, in order (one query of a few index probes).

    `SELECT DISTINCT` reads the whole (municipality) index on PostgreSQL, 100,000 entries for 8
    names (30–100 ms); this walks it instead, one probe for the next name after the last.
    """
    table = connection.ops.quote_name(Provider._meta.db_table)
    sql = f"""
        WITH RECURSIVE names(name) AS (
            SELECT MIN(municipality) FROM {table} WHERE municipality > ''
            UNION ALL
            SELECT (SELECT MIN(municipality) FROM {table} WHERE municipality > names.name)
            FROM names WHERE names.name IS NOT NULL
        )
        SELECT name FROM names WHERE name IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def provider_search(*, query: str = "", limit: int = 50) -> QuerySet[Provider]:
    """Active providers matching the query, for a picker (category joined)."""
    providers = Provider.objects.active().select_related("category", "district").filter(matching_query(query))
    return providers.order_by(*kana_order(query, "name"))[:limit]


def provider_list_rows(*, today: date) -> QuerySet[Provider]:
    """Every provider with what the list's columns show (category, district, the 要再確認 flag)."""
    return (
        Provider.objects.select_related("category", "district")
        .with_reverification_flag(today)
        .order_by("name_kana", "name", "pk")
    )


def provider_list_page_rows(*, today: date) -> QuerySet[Provider]:
    """The search page's rows: provider_list_rows without the columns the page never shows — the
    internal note is not decrypted fifty times a page, the folded search text stays in the database."""
    return provider_list_rows(today=today).defer("internal_note", "search_text")


def provider_for_page(pk: int) -> Provider:
    """One provider with its category, district, who last verified it and its opening-hour rows."""
    return (
        Provider.objects.select_related("category", "district", "verified_by").prefetch_related("schedules").get(pk=pk)
    )


@dataclass(frozen=True)
class MatrixRow:
    procedure: MedicalCareProcedure
    status: str
    note: str

    @property
    def label(self) -> str:
        return Acceptance(self.status).label

    @property
    def accepts(self) -> bool:
        return self.status in (Acceptance.ACCEPTED, Acceptance.CONDITIONAL)


def acceptance_matrix(provider: Provider) -> list[MatrixRow]:
    """The 14 procedures in order with the provider's answer for each (未確認 where none; 2 queries)."""
    cells = {cell.procedure_id: cell for cell in ProviderProcedure.objects.filter(provider=provider)}
    rows = []
    for procedure in MedicalCareProcedure.objects.order_by("position"):
        cell = cells.get(procedure.pk)
        rows.append(MatrixRow(procedure, cell.status if cell else Acceptance.UNKNOWN, cell.note if cell else ""))
    return rows


def providers_to_reverify(*, today: date, now=None) -> QuerySet[Provider]:
    """Active providers not verified for 12 months, never-verified first, then the oldest.

    Each comes with `link_expires_at` (a one-time link sent and still usable: until when) and
    `proposal_waiting` (the provider's changes wait for a decision), in the same query.
    """
    links = ProviderLink.objects.usable(now or timezone.now()).filter(provider=OuterRef("pk"))
    proposals = ProviderProposal.objects.filter(provider=OuterRef("pk"), status=ProposalStatus.PENDING)
    return (
        Provider.objects.active()
        .needing_reverification(today)
        .select_related("category", "district", "verified_by")
        .annotate(
            link_expires_at=Subquery(links.values("provider").annotate(until=Max("expires_at")).values("until")[:1]),
            proposal_waiting=Exists(proposals),
        )
        .order_by(F("verified_on").asc(nulls_first=True), "name_kana", "pk")
    )


def provider_link_state(provider: Provider, now) -> tuple[ProviderLink | None, int]:
    """The provider's latest link still usable (or None) and how many of its proposals wait (one query:
    a waiting proposal's link is used, so the links usable or with a waiting proposal are both)."""
    links = list(
        ProviderLink.objects.filter(provider=provider)
        .filter(
            Q(used_at__isnull=True, ended_at__isnull=True, expires_at__gt=now)
            | Q(proposal__status=ProposalStatus.PENDING)
        )
        .order_by("-created_at", "-pk")
        .values("pk", "created_at", "sent_to", "opened_at", "expires_at", "used_at", "proposal__status")
    )
    usable = next((ProviderLink(**_link_fields(row)) for row in links if row["used_at"] is None), None)
    return usable, sum(row["proposal__status"] == ProposalStatus.PENDING for row in links)


def _link_fields(row: dict) -> dict:
    return {name: value for name, value in row.items() if name != "proposal__status"}


@dataclass(frozen=True)
class ProposalRow:
    """One proposed change as the review page shows it: what the provider saw, what it proposes, what is saved now."""

    key: str
    label: str
    base: str
    proposed: str
    current: str
    # The entry was changed on this point since the provider opened its link: a 衝突 to decide knowingly.
    conflict: bool
    decision: str = ""


@dataclass(frozen=True)
class ProposalReview:
    proposal: ProviderProposal
    rows: list[ProposalRow]

    @property
    def conflicts(self) -> int:
        return sum(row.conflict for row in self.rows)


def _current_values(provider: Provider) -> dict:
    values = {field.name: getattr(provider, field.name) for field in provider._meta.concrete_fields}
    for cell in ProviderProcedure.objects.filter(provider=provider).select_related("procedure"):
        values[f"{ACCEPTANCE_PREFIX}{cell.procedure.code}"] = {"status": cell.status, "note": cell.note}
    return values


def _same(key: str, current, base) -> bool:
    if key.startswith(ACCEPTANCE_PREFIX):
        unknown = {"status": Acceptance.UNKNOWN, "note": ""}
        return (current or unknown) == (base or unknown)
    return current == base


def proposal_reviews(provider: Provider, *, pending: bool = True) -> list[ProposalReview]:
    """The provider's proposals (waiting ones, or decided ones), each change beside the entry as saved now."""
    proposals = ProviderProposal.objects.filter(provider=provider)
    proposals = (
        proposals.filter(status=ProposalStatus.PENDING).order_by("submitted_at", "pk")
        if pending
        else proposals.exclude(status=ProposalStatus.PENDING).select_related("decided_by")[:5]
    )
    proposals = list(proposals)
    if not proposals:
        return []
    current = _current_values(provider)
    names = {f"{ACCEPTANCE_PREFIX}{p.code}": p.name for p in MedicalCareProcedure.objects.all()}
    reviews = []
    for proposal in proposals:
        rows = []
        for key, change in proposal.changes.items():
            if key.startswith(ACCEPTANCE_PREFIX):
                label = f"医療的ケアの受け入れ：{names.get(key, key)}"
            else:
                label = str(Provider._meta.get_field(key).verbose_name)
            rows.append(
                ProposalRow(
                    key=key,
                    label=label,
                    base=value_text(key, change["base"]),
                    proposed=value_text(key, change["proposed"]),
                    current=value_text(key, current.get(key)),
                    conflict=not _same(key, current.get(key), change["base"]),
                    decision=proposal.decisions.get(key, ""),
                )
            )
        reviews.append(ProposalReview(proposal, rows))
    return reviews


def providers_accepting(procedures: Sequence[MedicalCareProcedure], age: int | None) -> QuerySet[Provider]:
    """Active providers that accept all the procedures (可 or 条件付き) and serve the age (one query).

    Each comes annotated with `condition_<procedure id>`: the note of a 条件付き answer, None
    where the answer is 可; `accepting_conditions()` reads them.
    """
    providers = Provider.objects.active().accepting(procedures)
    if age is not None:
        providers = providers.serving_age(age)
    conditions = {
        f"condition_{procedure.pk}": Subquery(
            ProviderProcedure.objects.filter(
                provider=OuterRef("pk"), procedure=procedure, status=Acceptance.CONDITIONAL
            ).values("note")[:1]
        )
        for procedure in procedures
    }
    return (
        providers.annotate(**conditions)
        .select_related("category", "district")
        .order_by("category__position", "name_kana", "pk")
    )


def accepting_conditions(
    provider: Provider, procedures: Sequence[MedicalCareProcedure]
) -> list[tuple[MedicalCareProcedure, str]]:
    """The procedures a provider from `providers_accepting` takes only on conditions, with the note."""
    notes = [(procedure, getattr(provider, f"condition_{procedure.pk}", None)) for procedure in procedures]
    return [(procedure, note) for procedure, note in notes if note is not None]


def providers_for_export(*, today: date) -> QuerySet[Provider]:
    """The list's rows with what the spreadsheet adds: who verified each, the acceptance matrix
    (prefetched a chunk at a time by the export)."""
    return provider_list_rows(today=today).select_related("verified_by").prefetch_related("acceptances")


def providers_for_hsds() -> QuerySet[Provider]:
    """Every active provider, as the HSDS package publishes them (four queries)."""
    cells = ProviderProcedure.objects.select_related("procedure")
    return (
        Provider.objects.active()
        .select_related("category", "district")
        .prefetch_related(Prefetch("acceptances", queryset=cells), "schedules")
        .order_by("name_kana", "name", "pk")
    )


def office_district_rows(office) -> QuerySet[OfficeDistrict]:
    """The office's districts in report order, each with `client_count`: the office's clients living there."""
    return (
        OfficeDistrict.objects.filter(office=office)
        .select_related("district")
        .annotate(client_count=Count("district__clients", filter=Q(district__clients__office=office)))
        .order_by("position")
    )


def districts_to_add(office) -> QuerySet[District]:
    """Registered districts of the office's municipality that its list does not have yet."""
    listed = OfficeDistrict.objects.filter(office=office).values("district_id")
    return District.objects.filter(municipality=office.municipality).exclude(pk__in=listed).order_by("name")
