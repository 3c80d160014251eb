"""What other apps add to a provider's page, through a plain registry.

The directory imports nothing of ours, yet a coordinator's view of a provider should say how
many of the office's contact logs name it. Coordination knows about logs, so it registers a
function here (in its AppConfig.ready) and the provider page shows whatever the registered
functions return for the signed-in user.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Provider


@dataclass(frozen=True)
class ProviderPageLink:
    """A line on the provider page: a sentence and, optionally, a link to follow."""

    text: str
    url: str = ""
    link_text: str = ""


ProviderPageHook = Callable[[Provider, object], ProviderPageLink | None]

PROVIDER_PAGE_HOOKS: list[ProviderPageHook] = []


def register_provider_page_hook(hook: ProviderPageHook) -> ProviderPageHook:
    """Add a function (provider, user) → ProviderPageLink or None; registering twice adds it once."""
    if hook not in PROVIDER_PAGE_HOOKS:
        PROVIDER_PAGE_HOOKS.append(hook)
    return hook


def provider_page_links(provider: Provider, user) -> list[ProviderPageLink]:
    """The lines the registered functions give for this provider and user."""
    return [link for hook in PROVIDER_PAGE_HOOKS if (link := hook(provider, user)) is not None]
