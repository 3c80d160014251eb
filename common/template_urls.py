"""The `url` template tag, remembering the paths it reversed.

A list page reverses the same few URL patterns once a row (home: ≈ 175 `{% url %}` a page), and
Django's reverse() matches the arguments against the pattern every time (≈ 15 µs). The path depends
only on the pattern's name, the arguments, the current app, the script prefix and the URLconf, so
for plain int and str arguments the result is remembered per process under all of those; anything
else (a model instance, whose text could change) is reversed as Django does. Same output: the tag
parses as Django's, renders as Django's, and a failed reverse still raises (or gives "" with `as`).

Installed as a template builtin (config/settings.py TEMPLATES OPTIONS "builtins"), after Django's own.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

PLAIN = (int, str)


@lru_cache(maxsize=16384)
def _remembered(view_name, args, kwargs, current_app, prefix, urlconf, root_urlconf) -> str:
    # prefix, urlconf and root_urlconf are the thread's state reverse() reads: part of the key only.
    return reverse(view_name, args=list(args), kwargs=dict(kwargs), current_app=current_app)


def remembered_reverse(view_name, args: list, kwargs: dict, current_app) -> str:
    if type(view_name) is str and all(type(value) in PLAIN for value in (*args, *kwargs.values())):
        return _remembered(
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
            current_app,
            get_script_prefix(),
            get_urlconf(),
            settings.ROOT_URLCONF,
        )
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


class RememberingURLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, with remembered_reverse in place of reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = remembered_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's {% url %}, parsed by Django; its node remembers the paths (RememberingURLNode)."""
    node = defaulttags.url(parser, token)
    node.__class__ = RememberingURLNode
    return node
