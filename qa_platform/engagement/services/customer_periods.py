"""Importing monthly customer figures (CSV upload or API batch), all or nothing.

The pure checks in `customer_periods.py` run first, then the ones that need the database (team
codes must name active teams inside the importer's HR/admin reach). If anything is wrong nothing is
written and every error comes back with its row, column and reason. Rows are upserted on
(month, team): a re-import of the same figures changes nothing (no row is written and
`imported_at` stays). One audit event per import that changed something, with the counts.
Reads: three queries whatever the number of rows (teams, existing rows, then the writes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.access import teams_q
from qa_platform.people.importing import RowError
from qa_platform.people.models import Team, User

from ..access import SURVEY_ADMIN_ROLES, can_manage_surveys
from ..customer_periods import Parsed, PeriodRow, parse_csv, parse_records, sorted_errors
from ..models import CustomerPeriod

FIELDS = ("customers_at_start", "customers_lost", "customers_gained", "revenue", "source")
CHUNK = 2_000


@dataclass
class PeriodImport:
    """What an import did (or, with `dry_run`, would do). Nothing was saved when `errors`."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: tuple[PeriodRow, ...] = ()
    errors: tuple[RowError, ...] = ()
    dry_run: bool = False
    actions: dict[int, str] = field(default_factory=dict)  # row -> create / update / unchanged

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": len(self.rows),
        }

    def error_dicts(self) -> list[dict[str, object]]:
        return [e.as_dict() for e in self.errors]


def _teams(rows: Sequence[PeriodRow], actor: Any) -> tuple[dict[str, Team], list[RowError]]:
    codes = {r.team_code for r in rows if r.team_code}
    if not codes:
        return {}, []
    found = {
        t.external_id: t
        for t in Team.objects.filter(external_id__in=codes, is_active=True)
        if t.external_id
    }
    reachable = set(
        Team.objects.filter(pk__in=[t.pk for t in found.values()])
        .filter(teams_q(actor, SURVEY_ADMIN_ROLES))
        .values_list("pk", flat=True)
    )
    errors: list[RowError] = []
    for r in rows:
        if not r.team_code:
            continue
        team = found.get(r.team_code)
        if team is None:
            errors.append(
                RowError(
                    r.row,
                    "team_code",
                    f"No active team has the code “{r.team_code}”; use the team's HR code, "
                    "or leave it empty for the whole organisation.",
                )
            )
        elif team.pk not in reachable:
            errors.append(
                RowError(r.row, "team_code", f"{team.name} is outside the teams you run.")
            )
    return found, errors


def _values(r: PeriodRow) -> dict[str, Any]:
    return {
        "customers_at_start": r.customers_at_start,
        "customers_lost": r.customers_lost,
        "customers_gained": r.customers_gained,
        "revenue": r.revenue,
        "source": r.source,
    }


@transaction.atomic
def import_customer_periods(
    *,
    actor: User,
    data: bytes | None = None,
    records: Sequence[object] | None = None,
    dry_run: bool = False,
    source_label: str = "csv",
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> PeriodImport:
    """Create or update monthly customer figures by (month, team), all or nothing. `dry_run`
    checks everything and reports what would change, writing nothing."""
    if not can_manage_surveys(actor):
        raise PermissionDenied("Only HR and administrators import customer figures.")
    today = today or timezone.localdate()
    parsed: Parsed = (
        parse_csv(data, today=today)
        if data is not None
        else parse_records(list(records or ()), today=today)
    )
    result = PeriodImport(rows=parsed.rows, dry_run=dry_run)
    teams, team_errors = _teams(parsed.rows, actor)
    if parsed.errors or team_errors:
        result.errors = sorted_errors([*parsed.errors, *team_errors])
        return result
    if not parsed.rows:
        return result

    months = {r.month for r in parsed.rows}
    existing: dict[tuple[dt.date, int | None], CustomerPeriod] = {}
    scope = Q(team__isnull=True) | Q(team_id__in=[t.pk for t in teams.values()])
    for period in CustomerPeriod.objects.select_for_update().filter(scope, month__in=months):
        existing[(period.month, period.team_id)] = period

    now = timezone.now()
    to_create: list[CustomerPeriod] = []
    to_update: list[CustomerPeriod] = []
    for r in parsed.rows:
        team = teams.get(r.team_code) if r.team_code else None
        values = _values(r)
        current = existing.get((r.month, team.pk if team else None))
        if current is None:
            to_create.append(CustomerPeriod(month=r.month, team=team, imported_at=now, **values))
            result.actions[r.row] = "create"
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.imported_at = now
            to_update.append(current)
            result.actions[r.row] = "update"
        else:
            result.actions[r.row] = "unchanged"
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(parsed.rows) - result.created - result.updated
    if dry_run or not (to_create or to_update):
        return result
    CustomerPeriod.objects.bulk_create(to_create, batch_size=CHUNK)
    CustomerPeriod.objects.bulk_update(to_update, [*FIELDS, "imported_at"], batch_size=CHUNK)
    record(
        action="engagement.customer_periods_imported",
        actor=actor,
        object_type="engagement.customerperiod",
        object_repr=f"{source_label} import of {len(parsed.rows)} months",
        after={**result.counts(), "source": source_label},
        request=request,
    )
    return result
