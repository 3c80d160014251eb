"""What coordination adds to a provider's page in the directory (registered in apps.ready)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from directory.models import Provider
from directory.page_links import ProviderPageLink, ProviderPageSection

from .fiscal import FiscalPeriod, fiscal_year_label, fiscal_year_of
from .models import ContactLog
from .referrals.selectors import provider_referral_figures


def contact_logs_naming(provider: Provider, user) -> ProviderPageLink | None:
    """ "This fiscal year, N contact logs name this provider", linking to them, for the office team."""
    if not user.has_perm("coordination.view_contactlog") or user.office_id is None:
        return None
    fiscal_year = fiscal_year_of(timezone.localdate())
    count = (
        ContactLog.objects.for_office(user.office_id)
        .in_period(FiscalPeriod(fiscal_year))
        .filter(counterparts__provider=provider)
        .distinct()
        .count()
    )
    label = fiscal_year_label(fiscal_year)
    if not count:
        return ProviderPageLink(text=f"{label}、この機関を相手先とした記録はまだありません。")
    # The log list's filters: `provider` (the provider's id) and `quarter` (a fiscal year alone is the whole year).
    url = f"{reverse('log_list')}?{urlencode({'provider': provider.pk, 'quarter': fiscal_year})}"
    return ProviderPageLink(
        text=f"{label}、この機関を相手先とした記録は {count}件 です。", url=url, link_text="記録の一覧で見る"
    )


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}日"


def referrals_to_provider(provider: Provider, user) -> ProviderPageSection | None:
    """This fiscal year's referrals of the office to the provider (sent, accepted, declined, median days
    to an answer) and 「この機関へつなぐ」, for those who see referrals; ward staff never get it."""
    if not user.has_perm("coordination.view_referral") or user.office_id is None:
        return None
    period = FiscalPeriod(fiscal_year_of(timezone.localdate()))
    figures = provider_referral_figures(user.office_id, provider, period)
    buttons = []
    if user.has_perm("coordination.add_referral") and provider.is_active:
        url = f"{reverse('referral_create')}?{urlencode({'provider': provider.pk})}"
        buttons.append(ProviderPageLink(text="", url=url, link_text="この機関へつなぐ"))
    if figures.sent:
        url = f"{reverse('referral_list')}?{urlencode({'provider': provider.pk})}"
        buttons.append(ProviderPageLink(text="", url=url, link_text="つなぎの一覧で見る"))
    return ProviderPageSection(
        heading=f"この機関へのつなぎ（{fiscal_year_label(period.fiscal_year)}）",
        figures=(
            ("依頼した", f"{figures.sent}件"),
            ("受理", f"{figures.accepted}件"),
            ("辞退", f"{figures.declined}件"),
            ("回答までの日数（中央値）", _days(figures.median_days_to_answer)),
        ),
        note=f"{period.date_range_label}に依頼したつなぎ（依頼済以降）。受理・辞退・日数はそのうち回答のあったもの。",
        buttons=tuple(buttons),
    )
