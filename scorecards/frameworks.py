"""Between the Wagtail authoring form and the pure framework definition.

`definition_from_blocks` reads a Framework snippet (its StreamField `sections` built from
scorecards.blocks, plus scoring mode, pass mark and section weights) into the pure
`scorecards.framework_def.FrameworkDef` that validation, scoring and versions work on.
`blocks_from_definition` goes the other way (raw StreamField data), for seeds, tests and copies.
`located_problems` turns validation problems into messages that say where the problem is, in the
words the author sees in the editor ("Section 'Opening', criterion 'Greets the customer': ...").

Tolerant on purpose: the preview renders half-written drafts, so a missing key, title or number
becomes an empty string or the field's default instead of an exception; `validate` then says what
is missing before anything can be published.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from scorecards import framework_def as fd

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from scorecards.models import Framework

# The scale a non-scoring question carries: its options are its own answer lines, valued 1..n,
# so it is a custom-options scale. Scoring never reads it (a question is never counted).
QUESTION_SCALE = "points"


class FrameworkFields(Protocol):
    """What `definition_from_blocks` reads: a Framework, or anything with the same fields."""

    @property
    def name(self) -> str: ...
    @property
    def scoring_mode(self) -> str: ...
    @property
    def pass_mark(self) -> Any: ...  # Decimal; str/int/None tolerated for half-built forms
    @property
    def use_section_weights(self) -> bool: ...
    @property
    def sections(self) -> Any: ...  # a StreamValue, or raw stream data ([{"type", "value"}])


@dataclass(frozen=True)
class FrameworkFieldValues:
    """The fields of a framework as plain values (e.g. a form's cleaned data)."""

    name: str
    scoring_mode: str
    pass_mark: Any
    use_section_weights: bool
    sections: Any


# --- Blocks -> definition -------------------------------------------------------------------


def definition_from_blocks(framework: FrameworkFields) -> fd.FrameworkDef:
    """The pure definition of what the framework's fields say right now."""
    sections = []
    for block_type, value in _stream(framework.sections):
        if block_type != "section":
            continue
        sections.append(
            fd.Section(
                key=_text(value, "key"),
                title=_text(value, "title"),
                weight=_decimal_or_none(_get(value, "weight")),
                criteria=tuple(_items(_get(value, "items"))),
            )
        )
    return fd.FrameworkDef(
        name=str(framework.name or ""),
        scoring_mode=str(framework.scoring_mode or ""),
        pass_mark=_decimal_or_none(framework.pass_mark) or Decimal(0),
        use_section_weights=bool(framework.use_section_weights),
        sections=tuple(sections),
    )


def _items(stream: Any) -> Iterator[fd.Criterion]:
    for block_type, value in _stream(stream):
        if block_type == "criterion":
            yield _criterion(value)
        elif block_type == "question":
            yield _question(value)


def _criterion(value: Any) -> fd.Criterion:
    scale = _text(value, "scale") or "five"
    points = _decimal_or_none(_get(value, "points")) or Decimal(0)
    options = tuple(
        fd.ScaleOption(
            value=_decimal_or_none(_get(option, "value")) or Decimal(0),
            label=_text(option, "label"),
            guidance=_text(option, "guidance"),
        )
        for option in _list(_get(value, "options"))
    )
    if not options:
        options = _standard_options(scale, points)
    weight = _decimal_or_none(_get(value, "weight"))
    return fd.Criterion(
        key=_text(value, "key"),
        title=_text(value, "title"),
        guidance=_text(value, "guidance"),
        scale=scale,
        options=options,
        weight=Decimal(1) if weight is None else weight,
        points=points,
        na_allowed=bool(_get(value, "na_allowed")),
        na_rule=_text(value, "na_rule"),
        severity=_text(value, "severity") or "normal",
        root_causes=tuple(_lines(_text(value, "root_causes"))),
    )


def _question(value: Any) -> fd.Criterion:
    choices = _lines(_text(value, "choices"))
    return fd.Criterion(
        key=_text(value, "key"),
        title=_text(value, "title"),
        guidance=_text(value, "guidance"),
        scale=QUESTION_SCALE,
        options=tuple(
            fd.ScaleOption(Decimal(number), label) for number, label in enumerate(choices, 1)
        ),
        weight=Decimal(0),
        points=Decimal(0),
        scoring=False,
    )


def _standard_options(scale: str, points: Decimal) -> tuple[fd.ScaleOption, ...]:
    """The scale's standard options; a points scale runs 0..points in whole points (plus the
    exact maximum when the points are fractional, e.g. 0, 1, 2, 2.5)."""
    if scale == "points":
        if points <= 0:
            return ()
        whole = int(points)
        values = [Decimal(n) for n in range(whole + 1)]
        if points != whole:
            values.append(points)
        return tuple(fd.ScaleOption(v, _plain(v)) for v in values)
    try:
        return fd.standard_options(scale)
    except ValueError:  # an unknown scale: validate() reports it
        return ()


def _stream(stream: Any) -> Iterator[tuple[str, Any]]:
    """(block type, value) of each child of a StreamValue or of raw stream data."""
    if stream is None or isinstance(stream, str):
        return
    for child in stream:
        block_type = getattr(child, "block_type", None)
        if block_type is not None:
            yield str(block_type), child.value
        elif isinstance(child, Mapping):
            yield str(child.get("type", "")), child.get("value")
        elif isinstance(child, tuple | list) and len(child) == 2:
            yield str(child[0]), child[1]


def _list(value: Any) -> Iterator[Any]:
    """The items of a ListValue, or of raw list data ({"type": "item", "value": ...} or plain)."""
    if value is None or isinstance(value, str):
        return
    for item in value:
        if isinstance(item, Mapping) and item.get("type") == "item" and "value" in item:
            yield item["value"]
        else:
            yield item


def _get(value: Any, name: str) -> Any:
    if value is None:
        return None
    try:
        return value.get(name)
    except AttributeError:
        return None


def _text(value: Any, name: str) -> str:
    found = _get(value, name)
    return "" if found is None else str(found).strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- Definition -> blocks -------------------------------------------------------------------


def blocks_from_definition(defn: fd.FrameworkDef) -> list[dict[str, Any]]:
    """Raw StreamField data for `Framework.sections` that reads back as `defn`.

    Options are always written out, so the round trip is exact whatever the scale. Block ids are
    derived from the keys, so the same definition always gives the same data.
    """
    return [
        {
            "type": "section",
            "id": _block_id(defn.name, section.key, str(s_index)),
            "value": {
                "key": section.key,
                "title": section.title,
                "weight": None if section.weight is None else str(section.weight),
                "items": [
                    _item_block(defn.name, section.key, criterion) for criterion in section.criteria
                ],
            },
        }
        for s_index, section in enumerate(defn.sections)
    ]


def _block_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "qa-platform/framework/" + "/".join(parts)))


def _item_block(name: str, section_key: str, criterion: fd.Criterion) -> dict[str, Any]:
    block_id = _block_id(name, section_key, criterion.key)
    if not criterion.scoring:
        return {
            "type": "question",
            "id": block_id,
            "value": {
                "key": criterion.key,
                "title": criterion.title,
                "guidance": criterion.guidance,
                "choices": "\n".join(option.label for option in criterion.options),
            },
        }
    return {
        "type": "criterion",
        "id": block_id,
        "value": {
            "key": criterion.key,
            "title": criterion.title,
            "guidance": criterion.guidance,
            "scale": criterion.scale,
            "options": [
                {
                    "type": "item",
                    "id": _block_id(block_id, str(o_index)),
                    "value": {
                        "value": str(option.value),
                        "label": option.label,
                        "guidance": option.guidance,
                    },
                }
                for o_index, option in enumerate(criterion.options)
            ],
            "weight": str(criterion.weight),
            "points": str(criterion.points),
            "na_allowed": criterion.na_allowed,
            "na_rule": criterion.na_rule,
            "severity": criterion.severity,
            "root_causes": "\n".join(criterion.root_causes),
        },
    }


# --- Problems, located ----------------------------------------------------------------------


def located_problems(defn: fd.FrameworkDef, problems: Iterable[fd.Problem]) -> list[str]:
    """Each problem as one message that names where it is, in the editor's words:
    "Section 2 'Resolution', criterion 'Shows empathy' (key 'empathy'): ...". A problem about a
    key used twice names every place that uses it."""
    places: dict[str, list[str]] = {}

    def add(where: str, place: str) -> None:
        if place not in places.setdefault(where, []):
            places[where].append(place)

    for s_index, section in enumerate(defn.sections, start=1):
        section_where = section.key or f"section {s_index}"
        section_name = f"Section {s_index}" + (f" '{section.title}'" if section.title else "")
        add(section_where, section_name)
        for c_index, criterion in enumerate(section.criteria, start=1):
            kind = "criterion" if criterion.scoring else "question"
            name = f"'{criterion.title}'" if criterion.title else str(c_index)
            key = f" (key '{criterion.key}')" if criterion.key else " (no key)"
            place = f"{section_name}, {kind} {name}{key}"
            add(criterion.key or f"{section_where} item {c_index}", place)
            add(criterion.key, place)
    messages = []
    for problem in problems:
        found = places.get(problem.where)
        if problem.where == "framework" or not found:
            messages.append(problem.message)
        else:
            messages.append(f"{' and '.join(found)}: {problem.message}")
    return messages


# --- Reads for the framework lists (admin listing and /quality/frameworks/) -------------------


def with_listing_figures(queryset: QuerySet[Framework]) -> QuerySet[Framework]:
    """Annotate each framework with `latest_version` (its highest version number, None before
    the first publish) and `review_count` (reviews graded on any of its versions)."""
    from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from scorecards.models import Review

    reviews = (
        Review.objects.filter(framework_version__framework=OuterRef("pk"))
        .order_by()
        .values("framework_version__framework")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        latest_version=Max("versions__number"),
        review_count=Coalesce(Subquery(reviews, output_field=IntegerField()), 0),
    )


def framework_status(framework: Framework) -> str:
    """Retired, Live + draft (published, with unpublished changes), Live, or Draft."""
    if framework.retired_at is not None:
        return "Retired"
    if framework.live:
        return "Live + draft" if framework.has_unpublished_changes else "Live"
    return "Draft"
