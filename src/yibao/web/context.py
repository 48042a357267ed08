from yibao import registry


def navigation(request):
    """The navigation entries the apps registered, as offered to the signed-in user."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    return {"nav": [(e.url_name, e.label) for e in registry.navigation_for(user)]}
