"""Keep people management in one place: the product's own People pages, not Wagtail's user admin."""

from typing import Any

from wagtail import hooks

HIDDEN_SETTINGS_ITEMS = {"users", "groups", "api_tokens"}


@hooks.register("construct_settings_menu")
def hide_wagtail_people_admin(request: Any, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_SETTINGS_ITEMS]
