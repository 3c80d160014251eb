from .navigation import menu_for


def navigation(request):
    """The header's menu for the signed-in user (accounts/navigation.py) and their role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": menu_for(user), "user_role": user.role}
