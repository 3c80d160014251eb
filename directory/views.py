from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .selectors import provider_search


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_list(request):
    query = request.GET.get("q", "")
    providers = provider_search(query=query)
    return render(request, "directory/provider_list.html", {"providers": providers, "query": query})
