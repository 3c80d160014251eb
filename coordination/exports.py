"""The export of what a filtered list shows: every row its filters select, all pages, as .xlsx or .csv."""

from collections.abc import Callable, Sequence
from itertools import islice

import tablib
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from audit.services import access_log_note
from tabular.spreadsheets import CONTENT_TYPES, export_cell, spreadsheet_response

CHUNK = 500


def filtered_list_export(
    request,
    *,
    file_format: str,
    list_filter,
    list_url_name: str,
    title: str,
    columns: Sequence[str],
    row: Callable[[object], list],
    prepare: Callable[[list], None] | None = None,
) -> HttpResponse:
    """The rows `list_filter` selects, one `row(obj)` each, named `<title>_<today>.<ext>`; its row count in the access log.

    An unknown format is 404; filters in error send the user back to the list with a message.
    `list_filter` carries `today` (the lists' filters take it to judge what is overdue).
    `prepare`, if given, sees each chunk of objects before their rows are made (to look up, in one
    query a chunk, what the rows name).
    """
    if file_format not in CONTENT_TYPES:
        raise Http404("その形式には対応していません。")
    if not list_filter.is_valid():
        messages.error(request, "絞り込みの条件に誤りがあるため、書き出せませんでした。条件を直してください。")
        return redirect(f"{reverse(list_url_name)}?{request.GET.urlencode()}")
    dataset = tablib.Dataset(headers=list(columns), title=title)
    objects = list_filter.qs.iterator(chunk_size=CHUNK)
    while chunk := list(islice(objects, CHUNK)):
        if prepare is not None:
            prepare(chunk)
        for obj in chunk:
            dataset.append([export_cell(value) for value in row(obj)])
    access_log_note(request, rows=len(dataset))
    return spreadsheet_response(dataset, file_format, filename=f"{title}_{list_filter.today:%Y-%m-%d}.{file_format}")
