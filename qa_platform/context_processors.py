from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from qa_platform.navigation import ROLE_HOME_URL, navigation_for
from qa_platform.notifications.services import unread_count
from qa_platform.people.access import grants_of, is_admin, user_main_role


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the app shell needs on every page: navigation, unread count, main role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"platform_name": settings.PLATFORM_NAME}
    main = user_main_role(user)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "nav_groups": SimpleLazyObject(lambda: navigation_for(grants_of(user).roles, request.path)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "main_role": main,
        "is_platform_admin": is_admin(user),
        "main_role_label": main.label if main else "No role yet",
        "role_home_url": ROLE_HOME_URL,
    }
