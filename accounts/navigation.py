"""The header's menu: each app adds its own entries at start-up, so accounts names no page of theirs.

An entry shows for every signed-in user (`everyone`), or for a user who has its permission or
whose role is among its roles. Entries come in the order of their position.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from .roles import Role


@dataclass(frozen=True)
class MenuItem:
    position: int
    label: str
    url_name: str
    permission: str = ""
    roles: frozenset[Role] = frozenset()
    everyone: bool = False

    def shown_to(self, user, role: Role | None) -> bool:
        if self.everyone or self.roles and role in self.roles:
            return True
        return bool(self.permission) and user.has_perm(self.permission)


_MENU: dict[str, MenuItem] = {}


def register_menu_item(
    position: int,
    label: str,
    url_name: str,
    *,
    permission: str = "",
    roles: Iterable[Role] = (),
    everyone: bool = False,
) -> None:
    """Adds (or replaces, by URL name) an entry of the header's menu."""
    if not (permission or roles or everyone):
        raise ValueError(f"menu entry {url_name!r} needs a permission, roles or everyone=True")
    _MENU[url_name] = MenuItem(position, label, url_name, permission, frozenset(roles), everyone)


def menu_for(user) -> list[tuple[str, str]]:
    """(label, url) of the entries this signed-in user may open, in order."""
    role = user.role
    items = sorted(_MENU.values(), key=lambda item: item.position)
    return [(item.label, reverse(item.url_name)) for item in items if item.shown_to(user, role)]


# 管理: the office's settings, for its supervisors and the system admin.
register_menu_item(800, "管理", "office_settings:index", roles=[Role.SUPERVISOR, Role.ADMIN])
# The admin's own tools. The access log's entry comes from coordination (it names clients and records);
# audit's technical page of raw rows is linked from it.
register_menu_item(900, "管理サイト", "admin:index", roles=[Role.ADMIN])
