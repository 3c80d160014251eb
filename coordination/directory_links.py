"""What coordination adds to a provider's page in the directory (registered in apps.ready)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from directory.models import Provider
from directory.page_links import ProviderPageLink

from .fiscal import FiscalPeriod, fiscal_year_label, fiscal_year_of
from .models import ContactLog


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
