"""`manage.py create_admin`: the first administrator, from the environment or a prompt."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from qa_platform.audit.models import AuditEvent
from qa_platform.people.access import is_admin
from qa_platform.people.models import RoleGrant, Team, TeamKind, User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import PASSWORD, UserFactory

GOOD_PASSWORD = "a-long-admin-passphrase"


class FakeStdin(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def run(*args: str, tty: bool = False) -> str:
    out = io.StringIO()
    call_command("create_admin", *args, stdout=out, stdin=FakeStdin(tty))
    return out.getvalue()


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ADMIN_PASSWORD", GOOD_PASSWORD)
    return "ADMIN_PASSWORD"


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answers for getpass, in order; records that the prompt was used."""
    answers: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    yield answers


def test_create_admin_creates_the_organisation_and_the_first_administrator(
    db: None, password_env: str
) -> None:
    output = run(
        "--email", "Boss@Example.test", "--name", "Bo Boss", "--password-from-env", password_env
    )
    person = User.objects.get(email="boss@example.test")
    root = Team.objects.get()
    assert root.name == "Organisation"
    assert root.kind == TeamKind.ORGANISATION
    assert root.parent is None
    assert person.full_name == "Bo Boss"
    assert person.is_staff and person.is_superuser and person.is_active
    assert is_admin(person)
    assert RoleGrant.objects.active().filter(user=person, role=Role.ADMIN, team=root).exists()
    assert "is now an administrator" in output
    assert person.check_password(GOOD_PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"team.create", "person.create", "role.grant"} <= actions


def test_the_organisation_name_can_be_chosen(db: None, password_env: str) -> None:
    run(
        "--email",
        "a@example.test",
        "--organisation",
        "Northwind",
        "--password-from-env",
        password_env,
    )
    assert Team.objects.get().name == "Northwind"


def test_an_existing_organisation_is_used_rather_than_a_new_one(
    org: Org, password_env: str
) -> None:
    before = Team.objects.count()
    run("--email", "a@example.test", "--password-from-env", password_env)
    assert Team.objects.count() == before
    assert RoleGrant.objects.get(user__email="a@example.test").team == org.root


def test_running_it_again_changes_nothing(db: None, password_env: str) -> None:
    run("--email", "a@example.test", "--password-from-env", password_env)
    counts = (User.objects.count(), Team.objects.count(), RoleGrant.objects.count())
    events = AuditEvent.objects.count()
    output = run("--email", "a@example.test", "--password-from-env", password_env)
    assert (User.objects.count(), Team.objects.count(), RoleGrant.objects.count()) == counts
    assert AuditEvent.objects.count() == events
    assert "already an administrator" in output


def test_an_existing_person_is_promoted_and_keeps_their_password(org: Org) -> None:
    person = UserFactory(email="lee@example.test", full_name="Lee")
    output = run("--email", "lee@example.test")  # no password needed: they have one
    person.refresh_from_db()
    assert is_admin(person) and person.is_superuser
    assert person.check_password(PASSWORD)
    assert person.full_name == "Lee"
    assert User.objects.filter(email="lee@example.test").count() == 1
    assert "is now an administrator" in output


def test_a_deactivated_person_is_reactivated_when_promoted(org: Org, password_env: str) -> None:
    person = UserFactory(email="gone@example.test", is_active=False)
    run("--email", "gone@example.test", "--password-from-env", password_env)
    person.refresh_from_db()
    assert person.is_active
    assert person.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(action="person.activate", object_id=str(person.pk)).exists()


def test_the_password_is_asked_for_in_a_terminal(db: None, prompts: list[str]) -> None:
    prompts.extend([GOOD_PASSWORD, GOOD_PASSWORD])
    run("--email", "a@example.test", tty=True)
    assert User.objects.get(email="a@example.test").check_password(GOOD_PASSWORD)
    assert prompts == []


def test_two_different_passwords_at_the_prompt_change_nothing(db: None, prompts: list[str]) -> None:
    prompts.extend([GOOD_PASSWORD, "something-else-entirely"])
    with pytest.raises(CommandError, match="do not match"):
        run("--email", "a@example.test", tty=True)
    assert not User.objects.exists()
    assert not Team.objects.exists()


def test_without_a_terminal_or_a_password_variable_it_refuses_with_a_clear_message(
    db: None,
) -> None:
    with pytest.raises(CommandError, match="--password-from-env"):
        run("--email", "a@example.test", tty=False)
    assert not User.objects.exists()


def test_an_empty_or_missing_password_variable_is_refused(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(CommandError, match="NOT_SET_ANYWHERE is not set"):
        run("--email", "a@example.test", "--password-from-env", "NOT_SET_ANYWHERE")
    monkeypatch.setenv("EMPTY_PASSWORD", "")
    with pytest.raises(CommandError, match="EMPTY_PASSWORD is not set or is empty"):
        run("--email", "a@example.test", "--password-from-env", "EMPTY_PASSWORD")
    assert not User.objects.exists()


def test_a_weak_password_is_refused_with_the_reasons(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEAK", "1234")
    with pytest.raises(CommandError, match=r"Password refused: .*too short"):
        run("--email", "a@example.test", "--password-from-env", "WEAK")
    assert not User.objects.exists()


def test_an_invalid_email_is_refused(db: None, password_env: str) -> None:
    with pytest.raises(CommandError, match="not a valid email"):
        run("--email", "not-an-email", "--password-from-env", password_env)
    assert not User.objects.exists()


def test_the_email_is_required(db: None) -> None:
    with pytest.raises(CommandError, match="--email"):
        call_command("create_admin")
