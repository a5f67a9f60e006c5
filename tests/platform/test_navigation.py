from qa_platform.navigation import navigation_for
from qa_platform.people.roles import Role


def _labels(groups: list[dict[str, object]]) -> list[str]:
    return [item["label"] for g in groups for item in g["items"]]  # type: ignore[attr-defined]


def test_an_agent_sees_only_their_own_work() -> None:
    assert _labels(navigation_for({Role.AGENT})) == [
        "Home",
        "My reviews",
        "My training",
        "Library",
        "My surveys",
    ]


def test_a_reviewer_sees_interactions_to_grade_but_not_the_overview() -> None:
    assert _labels(navigation_for({Role.REVIEWER})) == [
        "Home",
        "My training",
        "Library",
        "My surveys",
        "Interactions",
        "Role-play grading",
        "People",
    ]


def test_a_lead_also_sees_the_quality_and_the_people_of_their_teams() -> None:
    assert _labels(navigation_for({Role.LEAD, Role.AGENT})) == [
        "Home",
        "My reviews",
        "My training",
        "Library",
        "My surveys",
        "Interactions",
        "Reviews",
        "Role-play grading",
        "Quality overview",
        "People",
        "Assign training",
        "Training reports",
        "Survey results",
    ]


def test_a_qa_manager_sees_the_programme_pages() -> None:
    labels = _labels(navigation_for({Role.QA_MANAGER}))
    assert labels[-3:] == ["Frameworks", "Import interactions", "Import feedback"]
    assert "Teams" not in labels


def test_hr_sees_people_and_engagement_but_no_quality_pages() -> None:
    assert _labels(navigation_for({Role.HR})) == [
        "Home",
        "My training",
        "Library",
        "My surveys",
        "People",
        "Surveys",
        "Survey results",
        "CX overview",
        "Engagement and CX",
    ]


def test_an_administrator_sees_the_admin_pages() -> None:
    labels = _labels(navigation_for({Role.ADMIN}))
    assert labels == [
        "Home",
        "My training",
        "Library",
        "My surveys",
        "Interactions",
        "Reviews",
        "Role-play grading",
        "Quality overview",
        "People",
        "Assign training",
        "Training reports",
        "Frameworks",
        "Import interactions",
        "Import feedback",
        "Surveys",
        "Survey results",
        "CX overview",
        "Engagement and CX",
        "Teams",
        "Import people",
        "Audit trail",
        "API tokens",
    ]


def test_only_the_most_specific_item_is_marked_current() -> None:
    groups = navigation_for({Role.ADMIN}, "/people/teams/new/")
    current = [i["label"] for g in groups for i in g["items"] if i["active"]]  # type: ignore[attr-defined]
    assert current == ["Teams"]


def test_home_is_current_only_on_the_home_url() -> None:
    groups = navigation_for({Role.ADMIN}, "/people/")
    current = [i["label"] for g in groups for i in g["items"] if i["active"]]  # type: ignore[attr-defined]
    assert current == ["People"]


def test_a_trainer_sees_grading_assigning_and_reports() -> None:
    for role in (Role.TRAINER, Role.TRAINING_LEAD):
        assert _labels(navigation_for({role})) == [
            "Home",
            "My training",
            "Library",
            "My surveys",
            "Role-play grading",
            "Assign training",
            "Training reports",
        ]


def test_every_role_has_a_home() -> None:
    from qa_platform.navigation import ROLE_HOME_URL

    assert set(ROLE_HOME_URL) == set(Role)
