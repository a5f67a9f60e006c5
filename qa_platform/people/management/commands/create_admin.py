"""`manage.py create_admin --email X`: create or promote the first administrator; safe to re-run."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any, TextIO

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from qa_platform.audit.services import record
from qa_platform.people import services
from qa_platform.people.models import Team, TeamKind, User
from qa_platform.people.roles import Role


class Command(BaseCommand):
    help = (
        "Create the first administrator, or make an existing person an administrator. "
        "Creates the organisation's root team when there is none yet. The password is read from "
        "the environment variable named by --password-from-env, or asked for in the terminal. "
        "Re-running changes nothing that is already in place."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The administrator's sign-in email.")
        parser.add_argument("--name", default="", help="Full name (optional).")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            default="",
            help="Read the password from this environment variable instead of prompting.",
        )
        parser.add_argument(
            "--organisation",
            default="Organisation",
            help="Name of the root team to create when none exists (default: Organisation).",
        )

    def handle(
        self,
        *args: Any,
        email: str,
        name: str,
        password_from_env: str,
        organisation: str,
        **options: Any,
    ) -> None:
        self.stdin: TextIO = options.get("stdin") or sys.stdin
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"“{email}” is not a valid email address.") from exc

        person = User.objects.filter(email__iexact=email).first()
        password = self._password(
            env_var=password_from_env,
            needed=person is None or not person.has_usable_password(),
            user=person or User(email=email, full_name=name),
        )
        with transaction.atomic():
            root, root_created = self._root_team(organisation.strip() or "Organisation")
            if person is None:
                person = services.create_person(email=email, full_name=name, password=password)
                self.stdout.write(f"Created {email}.")
            else:
                self._update_existing(person, name=name, password=password)
            if root_created:
                self.stdout.write(f"Created the organisation “{root.name}”.")
            already = person.role_grants.active().filter(role=Role.ADMIN, team=root).exists()
            services.grant_role(person=person, role=Role.ADMIN, team=root)
        if already:
            self.stdout.write(
                self.style.SUCCESS(f"{email} is already an administrator of “{root.name}”.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{email} is now an administrator of “{root.name}”.")
            )

    def _password(self, *, env_var: str, needed: bool, user: User) -> str | None:
        """The new password, or None to keep an existing person's current one."""
        if env_var:
            password = os.environ.get(env_var, "")
            if not password:
                raise CommandError(f"The environment variable {env_var} is not set or is empty.")
        elif not needed:
            return None
        elif not self.stdin.isatty():
            raise CommandError(
                "No password given and no terminal to ask for one. Run the command in a "
                "terminal, or pass --password-from-env VAR with the password in $VAR."
            )
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords do not match. Nothing was changed.")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        return password

    def _root_team(self, name: str) -> tuple[Team, bool]:
        roots = Team.objects.filter(parent__isnull=True, is_active=True).order_by("path")
        root = roots.filter(kind=TeamKind.ORGANISATION).first() or roots.first()
        if root is not None:
            return root, False
        return services.create_team(name=name, kind=TeamKind.ORGANISATION), True

    def _update_existing(self, person: User, *, name: str, password: str | None) -> None:
        full_name = name.strip() or person.full_name
        if full_name != person.full_name or not person.is_active:
            if not person.is_active:
                self.stdout.write(f"Reactivated {person.email}.")
            services.update_person(
                person=person,
                email=person.email,
                full_name=full_name,
                employee_id=person.employee_id,
                is_active=True,
            )
        if password is not None and not person.check_password(password):
            person.set_password(password)
            person.save(update_fields=["password"])
            record(action="person.password_set", obj=person, after={"by": "create_admin"})
            self.stdout.write(f"Set a new password for {person.email}.")
