"""The question bank: engagement items written for this product, and survey templates.

The wordings are our own (published commercial survey items are copyrighted). Every item has a
stable key (`part.name` or `part.group.name`: lower case, digits, underscores) that never changes
once a survey has used it: results are compared across waves by key, so a reworded item that
measures something else gets a new key, and the old one stays for history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

KEY_FORMAT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,2}$")


class Scale(StrEnum):
    AGREEMENT_5 = "agreement_5"  # 1 strongly disagree .. 5 strongly agree
    ZERO_TO_TEN = "zero_to_ten"  # 0 not at all likely .. 10 extremely likely
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    COMMENT = "comment"


class Part(StrEnum):
    INDEX = "index"  # the engagement index (outcome items)
    ENPS = "enps"
    DRIVER = "driver"
    COMMENT = "comment"
    ONBOARDING = "onboarding"
    EXIT = "exit"


class Privacy(StrEnum):
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"
    IDENTIFIABLE = "identifiable"


AGREEMENT_LABELS = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    scale: Scale
    part: Part
    driver: str | None = None  # the driver's key, for driver items
    options: tuple[str, ...] = ()  # for single and multiple choice
    optional: bool = False
    follow_up_of: str | None = None  # e.g. the "why?" after the eNPS score


@dataclass(frozen=True)
class Driver:
    key: str
    name: str
    description: str
    customer_linked: bool = False  # among the items most tied to customer results


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    privacy: Privacy  # the suggested mode; HR chooses before launch
    sections: tuple[Section, ...]

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(key for section in self.sections for key in section.items)


def _agree(key: str, text: str, part: Part, driver: str | None = None) -> Item:
    return Item(key=key, text=text, scale=Scale.AGREEMENT_5, part=part, driver=driver)


def _comment(key: str, text: str, part: Part, follow_up_of: str | None = None) -> Item:
    return Item(key, text, Scale.COMMENT, part, optional=True, follow_up_of=follow_up_of)


# --- The engagement index: outcomes ---------------------------------------------------------

INDEX_ITEMS: tuple[Item, ...] = (
    _agree("index.pride", "I am proud to tell people where I work.", Part.INDEX),
    _agree("index.good_place", "I would tell a friend this is a good place to work.", Part.INDEX),
    _agree("index.stay", "I expect to still be working here two years from now.", Part.INDEX),
    _agree(
        "index.extra_mile",
        "Working here makes me want to do more than my job strictly asks of me.",
        Part.INDEX,
    ),
    _agree("index.satisfied", "All things considered, I am happy working here.", Part.INDEX),
)

# --- eNPS -----------------------------------------------------------------------------------

ENPS_ITEMS: tuple[Item, ...] = (
    Item(
        "enps.score",
        "How likely are you to recommend working here to someone you know? "
        "(0 = not at all likely, 10 = extremely likely)",
        Scale.ZERO_TO_TEN,
        Part.ENPS,
    ),
    _comment("enps.why", "What is the main reason for your score?", Part.ENPS, "enps.score"),
)

# --- Drivers: what moves the outcomes -------------------------------------------------------

DRIVERS: tuple[Driver, ...] = (
    Driver("manager", "Manager support", "Help, feedback and backing from my team lead."),
    Driver("recognition", "Recognition", "Good work is noticed and valued."),
    Driver("growth", "Growth", "Learning, development and a future here."),
    Driver("workload", "Workload", "A manageable amount of work and pace."),
    Driver("tools", "Tools and resources", "The systems, knowledge and information to do the job."),
    Driver("autonomy", "Autonomy", "Freedom to decide how to do my work."),
    Driver("team", "Team", "Working well with the people around me."),
    Driver("goals", "Clarity of goals", "Knowing what is expected and why it matters."),
    Driver(
        "customer_focus",
        "Customer focus",
        "The organisation puts customers' needs first.",
        customer_linked=True,
    ),
    Driver(
        "customer_empowerment",
        "Empowerment to solve customer problems",
        "Being able to fix a customer's problem without being held back.",
        customer_linked=True,
    ),
    Driver("wellbeing", "Wellbeing", "Work that does not wear me out."),
)

DRIVER_ITEMS: tuple[Item, ...] = tuple(
    _agree(f"driver.{driver}.{name}", text, Part.DRIVER, driver)
    for driver, name, text in (
        ("manager", "helps", "My team lead helps me when I am stuck."),
        ("manager", "feedback", "I get useful feedback on my work at least once a month."),
        ("manager", "cares", "My team lead cares about how I am doing, not only my numbers."),
        ("recognition", "noticed", "When I do good work, someone notices."),
        ("recognition", "fair", "Praise and rewards here go to the people who earn them."),
        ("growth", "learning", "I have learnt something new in my job in the last three months."),
        ("growth", "path", "I can see how I could grow into a bigger role here."),
        ("growth", "support", "I get time and help to build my skills."),
        ("workload", "manageable", "I can usually finish my work within my working hours."),
        ("workload", "pace", "The pace of work is one I can keep up over time."),
        ("tools", "systems", "The systems I use help me more than they slow me down."),
        ("tools", "knowledge", "I can quickly find the answer I need to help a customer."),
        ("autonomy", "decide", "I can decide how best to handle my own work."),
        ("autonomy", "trust", "I am trusted to use my judgement."),
        ("team", "help", "People in my team help each other out without being asked."),
        ("team", "respect", "I feel respected by the people I work with."),
        ("team", "speak_up", "I can raise a concern in my team without worrying about it."),
        ("goals", "expected", "I know what is expected of me at work."),
        ("goals", "why", "I understand how my work helps the organisation succeed."),
        ("customer_focus", "first", "Decisions here are made with customers in mind."),
        ("customer_focus", "quality", "We would rather solve a problem well than close it fast."),
        ("customer_focus", "listen", "What customers tell us leads to real changes here."),
        (
            "customer_empowerment",
            "fix",
            "I can put things right for a customer without asking for permission first.",
        ),
        (
            "customer_empowerment",
            "rules",
            "When a rule gets in the way of helping a customer, I can get it looked at.",
        ),
        (
            "customer_empowerment",
            "backed",
            "If I make a reasonable call for a customer, I will be backed up.",
        ),
        ("wellbeing", "energy", "I usually have energy left at the end of a working day."),
        ("wellbeing", "balance", "My job leaves me enough time for my life outside work."),
    )
)

# --- Comment questions ----------------------------------------------------------------------

COMMENT_ITEMS: tuple[Item, ...] = (
    _comment(
        "comment.change",
        "If you could change one thing about working here, what would it be?",
        Part.COMMENT,
    ),
    _comment("comment.keep", "What should we make sure we keep doing?", Part.COMMENT),
    _comment(
        "comment.customers",
        "What most often gets in the way of helping customers well?",
        Part.COMMENT,
    ),
    _comment("comment.other", "Is there anything else you would like to tell us?", Part.COMMENT),
)

# --- Onboarding check-ins and exit ----------------------------------------------------------

ONBOARDING_ITEMS: tuple[Item, ...] = (
    _agree("onboarding.week1.welcome", "I felt welcome in my first week.", Part.ONBOARDING),
    _agree(
        "onboarding.week1.ready",
        "My accounts, equipment and access were ready when I needed them.",
        Part.ONBOARDING,
    ),
    _agree(
        "onboarding.week1.who_to_ask", "I know who to ask when I have a question.", Part.ONBOARDING
    ),
    _comment(
        "onboarding.week1.comment", "What would have made your first week better?", Part.ONBOARDING
    ),
    _agree(
        "onboarding.day30.role", "I understand what my role involves day to day.", Part.ONBOARDING
    ),
    _agree(
        "onboarding.day30.training",
        "My training prepared me for the contacts I actually handle.",
        Part.ONBOARDING,
    ),
    _agree(
        "onboarding.day30.checkin",
        "My team lead has checked in with me about how it is going.",
        Part.ONBOARDING,
    ),
    _comment(
        "onboarding.day30.comment",
        "What is still unclear or harder than expected?",
        Part.ONBOARDING,
    ),
    _agree(
        "onboarding.day90.confident",
        "I feel confident handling most customer contacts on my own.",
        Part.ONBOARDING,
    ),
    _agree(
        "onboarding.day90.expectations",
        "The job is what I expected when I accepted it.",
        Part.ONBOARDING,
    ),
    _agree("onboarding.day90.future", "I can see myself working here in a year.", Part.ONBOARDING),
    _comment(
        "onboarding.day90.comment",
        "What would help you most over the next few months?",
        Part.ONBOARDING,
    ),
)

EXIT_REASONS = (
    "Pay or benefits",
    "Workload or stress",
    "My team lead",
    "Lack of growth or development",
    "Schedule or working hours",
    "The kind of work",
    "A better offer elsewhere",
    "Personal or family reasons",
    "Relocation",
    "Other",
)

EXIT_ITEMS: tuple[Item, ...] = (
    Item(
        "exit.reasons",
        "Which of these played a part in your decision to leave? (choose all that apply)",
        Scale.MULTIPLE_CHOICE,
        Part.EXIT,
        options=EXIT_REASONS,
    ),
    Item(
        "exit.main_reason",
        "Which one mattered most?",
        Scale.SINGLE_CHOICE,
        Part.EXIT,
        options=EXIT_REASONS,
    ),
    _agree(
        "exit.prevent", "Something could have been done that would have made me stay.", Part.EXIT
    ),
    _agree("exit.return", "I would consider coming back to work here in the future.", Part.EXIT),
    _agree(
        "exit.heard", "When I raised concerns while working here, I was listened to.", Part.EXIT
    ),
    _comment(
        "exit.advice", "What one piece of advice would you give to the leadership team?", Part.EXIT
    ),
)

ITEMS: tuple[Item, ...] = (
    INDEX_ITEMS + ENPS_ITEMS + DRIVER_ITEMS + COMMENT_ITEMS + ONBOARDING_ITEMS + EXIT_ITEMS
)
BY_KEY: dict[str, Item] = {item.key: item for item in ITEMS}
DRIVERS_BY_KEY: dict[str, Driver] = {driver.key: driver for driver in DRIVERS}


def item(key: str) -> Item:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"No item {key!r} in the question bank.") from None


def driver_items(driver: str) -> tuple[Item, ...]:
    return tuple(i for i in DRIVER_ITEMS if i.driver == driver)


def index_keys() -> tuple[str, ...]:
    return tuple(i.key for i in INDEX_ITEMS)


# --- Templates ------------------------------------------------------------------------------


def _keys(items: tuple[Item, ...]) -> tuple[str, ...]:
    return tuple(i.key for i in items)


def _onboarding(stage: str) -> tuple[str, ...]:
    return tuple(i.key for i in ONBOARDING_ITEMS if i.key.startswith(f"onboarding.{stage}."))


TEMPLATES: tuple[Template, ...] = (
    Template(
        "full",
        "Full engagement survey",
        "Every outcome, the eNPS and every driver, with open questions. Once or twice a year.",
        Privacy.ANONYMOUS,
        (
            Section("How you feel about working here", _keys(INDEX_ITEMS)),
            Section("Recommending us", _keys(ENPS_ITEMS)),
            *(Section(driver.name, _keys(driver_items(driver.key))) for driver in DRIVERS),
            Section("In your own words", _keys(COMMENT_ITEMS)),
        ),
    ),
    Template(
        "pulse",
        "Pulse",
        "A five-minute check between full surveys: the outcomes, the eNPS and one item per "
        "driver most often acted on.",
        Privacy.ANONYMOUS,
        (
            Section("How you feel about working here", _keys(INDEX_ITEMS)),
            Section("Recommending us", _keys(ENPS_ITEMS)),
            Section(
                "Your work",
                (
                    "driver.manager.helps",
                    "driver.recognition.noticed",
                    "driver.workload.manageable",
                    "driver.tools.knowledge",
                    "driver.customer_focus.first",
                    "driver.customer_empowerment.fix",
                ),
            ),
            Section("In your own words", ("comment.change",)),
        ),
    ),
    Template(
        "onboarding_week1",
        "Onboarding check-in: week 1",
        "For new starters at the end of their first week.",
        Privacy.IDENTIFIABLE,
        (Section("Your first week", _onboarding("week1")),),
    ),
    Template(
        "onboarding_day30",
        "Onboarding check-in: 30 days",
        "For new starters after their first month.",
        Privacy.IDENTIFIABLE,
        (
            Section("Your first month", _onboarding("day30")),
            Section("Your work", ("driver.manager.helps", "driver.tools.knowledge")),
        ),
    ),
    Template(
        "onboarding_day90",
        "Onboarding check-in: 90 days",
        "For new starters after three months, with the outcomes and eNPS of the full survey.",
        Privacy.IDENTIFIABLE,
        (
            Section("Your first three months", _onboarding("day90")),
            Section("How you feel about working here", _keys(INDEX_ITEMS)),
            Section("Recommending us", _keys(ENPS_ITEMS)),
        ),
    ),
    Template(
        "exit",
        "Exit survey",
        "For people leaving, before their last day.",
        Privacy.IDENTIFIABLE,
        (
            Section("Why you are leaving", _keys(EXIT_ITEMS)),
            Section("Recommending us", _keys(ENPS_ITEMS)),
        ),
    ),
)
TEMPLATES_BY_KEY: dict[str, Template] = {template.key: template for template in TEMPLATES}
