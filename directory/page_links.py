"""What other apps add to a provider's page, through a plain registry.

The directory imports nothing of ours, yet a coordinator's view of a provider should say how
many of the office's contact logs name it, and how the office's referrals to it went this year.
Coordination knows about logs and referrals, so it registers functions here (in its
AppConfig.ready) and the provider page shows whatever the registered functions return for the
signed-in user: lines (ProviderPageLink) and sections of figures (ProviderPageSection).
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


@dataclass(frozen=True)
class ProviderPageSection:
    """A section of the provider page: a heading, figures as (label, value) pairs, a note, and buttons."""

    heading: str
    figures: tuple[tuple[str, str], ...] = ()
    note: str = ""
    buttons: tuple[ProviderPageLink, ...] = ()


ProviderPageSectionHook = Callable[[Provider, object], ProviderPageSection | None]

PROVIDER_PAGE_SECTION_HOOKS: list[ProviderPageSectionHook] = []


def register_provider_page_section(hook: ProviderPageSectionHook) -> ProviderPageSectionHook:
    """Add a function (provider, user) → ProviderPageSection or None; registering twice adds it once."""
    if hook not in PROVIDER_PAGE_SECTION_HOOKS:
        PROVIDER_PAGE_SECTION_HOOKS.append(hook)
    return hook


def provider_page_sections(provider: Provider, user) -> list[ProviderPageSection]:
    """The sections the registered functions give for this provider and user."""
    return [section for hook in PROVIDER_PAGE_SECTION_HOOKS if (section := hook(provider, user)) is not None]
