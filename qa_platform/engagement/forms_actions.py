"""Forms for action plans, their updates, the customer-figures upload and the CX overview filter.
They only shape input: every rule is checked again by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from qa_platform.people.models import Team, User

from .customer_periods import MAX_BYTES, MAX_ROWS
from .models import ActionStatus
from .question_bank import DRIVERS_BY_KEY
from .services.actions import MAX_ACTION, MAX_DETAILS, MAX_UPDATE


def driver_label(key: str) -> str:
    """The driver's name from the question bank, or the key made readable for own drivers."""
    driver = DRIVERS_BY_KEY.get(key)
    return driver.name if driver else key.replace("_", " ").replace(".", " ").capitalize()


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "— " * max(obj.depth - 1, 0) + obj.name if obj.depth else obj.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class DateInput(forms.DateInput):
    input_type = "date"


class ActionPlanForm(forms.Form):
    team = TeamChoiceField(queryset=Team.objects.none(), label="Team", empty_label="Pick a team")
    driver = forms.ChoiceField(label="Driver", help_text="One of the drivers this survey asked.")
    action = forms.CharField(
        label="Action",
        max_length=MAX_ACTION,
        help_text="What will be done, in one line, e.g. “Weekly 15-minute one-to-ones”.",
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: why, how, and how you will know it worked.",
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        help_text="A member of the team, or its lead.",
        empty_label="Pick the owner",
    )
    due_date = forms.DateField(
        label="Due date", widget=DateInput(), help_text="A day in the future."
    )

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[Team],
        drivers: list[str],
        owners: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["driver"].choices = [("", "Pick a driver")] + [  # type: ignore[attr-defined]
            (d, driver_label(d)) for d in drivers
        ]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_due_date(self) -> dt.date:
        due: dt.date = self.cleaned_data["due_date"]
        if due <= timezone.localdate():
            raise forms.ValidationError("The due date must be in the future.")
        return due


class PlanUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    owner = PersonChoiceField(queryset=User.objects.none(), label="Owner")
    due_date = forms.DateField(label="Due date", widget=DateInput())

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class PublishUpdateForm(forms.Form):
    text = forms.CharField(
        label="What changed",
        max_length=MAX_UPDATE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Written for the whole team: “You said …, we did …”. Published at once.",
    )


class PlanFilterForm(forms.Form):
    team = TeamChoiceField(
        queryset=Team.objects.none(), required=False, label="Team", empty_label="All my teams"
    )
    driver = forms.ChoiceField(required=False, label="Driver")
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[
            ("", "Any status"),
            ("open", "Open (planned or in progress)"),
            *ActionStatus.choices,
        ],
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], drivers: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["driver"].choices = [("", "All drivers")] + [  # type: ignore[attr-defined]
            (d, driver_label(d)) for d in drivers
        ]


class CustomerUploadForm(forms.Form):
    file = forms.FileField(
        label="Monthly customer figures (CSV file)",
        help_text=(
            f"UTF-8 CSV, comma or semicolon separated, at most {MAX_BYTES // (1024 * 1024)} MB "
            f"and {MAX_ROWS:,} rows. The template shows the columns."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                "Upload a .csv file. From a spreadsheet, use “Save as” and choose CSV UTF-8."
            )
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into "
                "smaller files."
            )
        return upload


MONTH_CHOICES = [("6", "Last 6 months"), ("12", "Last 12 months"), ("24", "Last 24 months")]


class CxFilterForm(forms.Form):
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Team",
        empty_label="Whole organisation",
    )
    months = forms.ChoiceField(required=False, label="Period", choices=MONTH_CHOICES)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
