"""The Wagtail admin form for quality frameworks: drafts save freely, publishing is validated."""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminModelForm

from scorecards import framework_def as fd
from scorecards.frameworks import FrameworkFieldValues, definition_from_blocks, located_problems


class FrameworkAdminForm(WagtailAdminModelForm):
    """Publishing (and only publishing) runs `framework_def.validate` on what the form holds.

    Wagtail validates a draft save with "deferred" validation (`is_deferred_validation`), so a
    half-written framework can be saved and previewed; the publish button validates fully and
    this form then refuses it with one message per problem, each naming the section and
    criterion ("Section 1 'Opening', criterion 'Greets the customer' (key 'greeting'): ...").
    """

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if self.is_deferred_validation or "sections" not in cleaned:
            # A draft save or a preview; or the stream itself has block errors, shown on the
            # blocks (validating a half-read stream would only repeat them less clearly).
            return cleaned
        instance = self.instance

        def field(name: str) -> Any:
            return cleaned[name] if name in cleaned else getattr(instance, name)

        defn = definition_from_blocks(
            FrameworkFieldValues(
                name=field("name"),
                scoring_mode=field("scoring_mode"),
                pass_mark=field("pass_mark"),
                use_section_weights=field("use_section_weights"),
                sections=cleaned["sections"],
            )
        )
        for message in located_problems(defn, fd.validate(defn)):
            self.add_error(None, f"Cannot publish: {message}")
        return cleaned
