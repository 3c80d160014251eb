"""Reads of the directory."""
import jaconv
from django.db.models import Q, QuerySet

from .models import Provider


def normalize_kana_query(text: str) -> str:
    """Fold a query to full-width katakana so ｱｵﾊﾞ, あおば and アオバ look alike."""
    folded = jaconv.h2z(text.strip(), kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(folded)


def provider_search(*, query: str = "", limit: int = 50) -> QuerySet[Provider]:
    """Active providers whose name, フリガナ or address contains the query, for a results list."""
    providers = Provider.objects.active().select_related("category", "district")
    query = query.strip()
    if query:
        kana = normalize_kana_query(query)
        providers = providers.filter(
            Q(name__icontains=query) | Q(name_kana__icontains=kana) | Q(address__icontains=query)
        )
    return providers.order_by("name_kana", "name")[:limit]
