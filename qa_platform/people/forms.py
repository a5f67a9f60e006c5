"""Forms for signing in and for managing people, teams, role grants and API tokens.

Forms validate input only (types, lengths, choices within the person's scope, uniqueness a person
can fix); every write goes through `people.services` / `people.tokens`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from qa_platform.notifications.tasks import send_email
from qa_platform.widgets import FastSelect, FastTextInput

from .models import Team, TeamKind, User
from .roles import Role
from .summaries import TeamRow


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That email and password do not match an active account. "
        "Check both and try again.",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, with the email sent through the `send_email` task like every other."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email.enqueue(to=to_email, subject=subject, body=body)


class DateInput(forms.DateInput):
    """A native date picker; the browser sends ISO dates (2026-03-03)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    widget = DateInput
    default_error_messages = {"invalid": "Enter a real date, for example 2026-03-03."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)


class TeamChoiceField(forms.ModelChoiceField[Team]):
    """A team picker that shows the tree: sub-teams indented under their parent."""

    default_error_messages = {
        "invalid_choice": "Choose one of the teams in the list.",
    }

    def label_from_instance(self, obj: Team) -> str:
        return _tree_label(obj.name, obj.depth, obj.is_active)


class ReadyChoices(BaseChoiceIterator):
    """Choices already built as (value, label) pairs, used as they are.

    Django normalises a plain list of choices on the field and again on its widget, pair by pair;
    for an administrator's few hundred teams that was a millisecond per request (bench/).
    """

    def __init__(self, choices: list[tuple[Any, str]]) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self.choices)


def _tree_label(name: str, depth: int, is_active: bool) -> str:
    indent = "\u2003" * depth  # em spaces keep the tree readable in a <select>
    return f"{indent}{name}" if is_active else f"{indent}{name} (inactive)"


class PersonChoiceField(forms.ModelChoiceField[User]):
    default_error_messages = {
        "invalid_choice": "Choose one of the people in the list.",
    }

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} — {obj.email}" if obj.full_name else obj.email


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

STATUS_CHOICES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "All")]


class PersonFilterForm(forms.Form):
    """The filter bar above the people list. Invalid values are ignored, never an error page."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=FastTextInput(attrs={"type": "search", "placeholder": "Name, email or employee id"}),
    )
    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Any role"), *Role.choices],
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=STATUS_CHOICES, widget=FastSelect
    )

    def __init__(self, *args: Any, teams: Iterable[TeamRow] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_teams(teams)

    @property
    def asks_for_team(self) -> bool:
        """Whether the query names a team: the list needs that team's row before it is fetched
        (otherwise the teams can come later, with the list)."""
        return bool(self.data.get("team"))

    def set_teams(self, teams: Iterable[TeamRow]) -> None:
        """The teams to pick from, as rows in tree order (summaries.team_rows).

        Plain rows, not model instances: an administrator's picker lists every team, and building
        hundreds of Team objects per request showed in bench/. The chosen team is rebuilt from its
        row in filters(), without a query of its own.
        """
        self.team_rows = {row[0]: row for row in teams}
        self.fields["team"].choices = ReadyChoices(  # type: ignore[attr-defined]
            [
                ("", "Any team"),
                *(
                    (pk, _tree_label(name, depth, active))
                    for pk, name, depth, active, _ in self.team_rows.values()
                ),
            ]
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters; anything invalid falls back to its default."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        row = self.team_rows.get(data.get("team"))  # type: ignore[arg-type]
        team = None
        if row is not None:
            pk, name, depth, is_active, path = row
            team = Team(pk=pk, name=name, depth=depth, is_active=is_active, path=path)
        return {
            "q": data.get("q") or "",
            "team": team,
            "role": data.get("role") or "",
            "status": data.get("status") or "active",
        }


class _PersonFieldsForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="They sign in with this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label="Full name", max_length=200)
    employee_id = forms.CharField(
        label="Employee id",
        max_length=64,
        required=False,
        help_text="The id in the HR system; imports match on it first, then on email.",
    )

    person: User | None = None

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError("Someone else already uses this email address.")
        return email

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError("Enter the person's full name.")
        return name

    def clean_employee_id(self) -> str | None:
        employee_id = _optional(self.cleaned_data.get("employee_id"))
        if employee_id is None:
            return None
        others = User.objects.filter(employee_id=employee_id)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError("Another person already has this employee id.")
        return employee_id


class PersonCreateForm(_PersonFieldsForm):
    team = TeamChoiceField(
        label="First team",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        help_text="The team they belong to from the start date.",
    )
    start = DateField(label="Start date", help_text="The first day in this team.")
    role = forms.ChoiceField(
        label="Role on that team",
        required=False,
        choices=[("", "No role yet"), *Role.choices],
        help_text="Optional. You can grant more roles, on other teams too, from their page.",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["start"].initial = timezone.localdate

    field_order = ["email", "full_name", "employee_id", "team", "start", "role"]


class PersonEditForm(_PersonFieldsForm):
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        help_text="Deactivated people cannot sign in and their API tokens stop working. "
        "Nothing is deleted: their history stays.",
    )

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "email": person.email,
                "full_name": person.full_name,
                "employee_id": person.employee_id or "",
                "is_active": person.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        self.person = person


class MoveForm(forms.Form):
    team = TeamChoiceField(
        label="New team",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        help_text="Their current membership ends when this one starts; the history is kept.",
    )
    start = DateField(
        label="Start date",
        help_text="Work from this day on counts for the new team.",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["start"].initial = timezone.localdate


class GrantForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        help_text="Administrators also get the content admin (Wagtail).",
    )
    team = TeamChoiceField(
        label="On team",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        help_text="The role reaches this team and every team under it.",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class EndMembershipForm(forms.Form):
    end = DateField(
        label="End date",
        help_text="The first day they are no longer in the team. Must be after the start date.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end"].initial = timezone.localdate


# ---------------------------------------------------------------------------------------------
# Teams
# ---------------------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=TeamKind.choices, initial=TeamKind.TEAM)
    parent = TeamChoiceField(
        label="Part of",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Nothing (top of the tree)",
        help_text="The team this one sits under. Roles on the parent reach this team too.",
    )
    external_id = forms.CharField(
        label="External id",
        max_length=64,
        required=False,
        help_text="The team's code in the HR system; imports match on it.",
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Roles granted on an inactive team stop working; its history stays.",
    )

    def __init__(
        self,
        *args: Any,
        parents: QuerySet[Team],
        team: Team | None = None,
        parent_required: bool = False,
        **kwargs: Any,
    ) -> None:
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "kind": team.kind,
                    "parent": team.parent_id,
                    "external_id": team.external_id or "",
                    "is_active": team.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.team = team
        parent = self.fields["parent"]
        if team is not None:
            # A team cannot sit under itself or one of its own sub-teams.
            parents = parents.exclude(path__startswith=team.path)
            parent.error_messages["invalid_choice"] = (
                "Choose a team that is not this team or one of its sub-teams."
            )
        parent.queryset = parents  # type: ignore[attr-defined]
        if parent_required:
            parent.required = True
            parent.empty_label = None  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the team's name.")
        return name

    def clean_external_id(self) -> str | None:
        external_id = _optional(self.cleaned_data.get("external_id"))
        if external_id is None:
            return None
        others = Team.objects.filter(external_id=external_id)
        if self.team is not None:
            others = others.exclude(pk=self.team.pk)
        if others.exists():
            raise forms.ValidationError("Another team already has this external id.")
        return external_id


# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    owner = PersonChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        help_text="The token acts with this person's roles: it sees exactly what they see.",
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, e.g. “HR nightly sync”.",
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name
