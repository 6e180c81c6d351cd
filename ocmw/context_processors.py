from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The header menu, by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("Home"))]
    if user.ocmw_id and (user.is_intake or user.handles_cases or user.is_team_lead):
        items.append(("client_list", _("Clients")))
    if user.is_intake or user.handles_cases or user.is_team_lead:
        items.append(("client_create", _("Register client")))
    return {"nav_items": items}
