"""JSON for the log form's pickers, searched as the user types."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.utils import timezone

from accounts.access import office_of
from coordination.clients import selectors
from coordination.fiscal import fiscal_year_of
from directory.selectors import provider_search

LIMIT = 20


@login_required
@permission_required("coordination.view_client", raise_exception=True)
def client_lookup(request):
    """The office's clients matching `q` by name or フリガナ: id, name, kana and this year's age band."""
    fiscal_year = fiscal_year_of(timezone.localdate())
    clients = selectors.client_search(office_of(request), request.GET.get("q", ""), limit=LIMIT)
    results = [
        {"id": c.pk, "name": c.name, "kana": c.name_kana, "age_band": c.age_band_for(fiscal_year).label}
        for c in clients
    ]
    return JsonResponse({"results": results})


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_lookup(request):
    """Active providers matching `q`: id, name, category and the §3 category a counterpart takes."""
    query = request.GET.get("q", "").strip()
    providers = provider_search(query=query, limit=LIMIT) if query else []
    results = [
        {
            "id": p.pk,
            "name": p.name,
            "category": p.category.name,
            "counterpart_category": p.category.counterpart_category_id,
        }
        for p in providers
    ]
    return JsonResponse({"results": results})
