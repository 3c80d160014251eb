from django import template

register = template.Library()


@register.filter
def elided_pages(page):
    """The page numbers to link around the current one, with Paginator.ELLIPSIS for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
