"""Make the library home page "Knowledge and training" the root of the default Site.

Idempotent: when a content.HomePage already exists it is reused; Wagtail's own welcome page (from
wagtailcore's initial data) is removed once no Site uses it as its root and it has no children.
Keep this data migration when regenerating content's schema migrations.
"""

from django.db import migrations
from django.db.models import Max

TITLE = "Knowledge and training"
SLUG = "library"


def _child_path(parent, Page) -> str:
    """The next free materialised path below `parent` (treebeard's 4-character base-36 steps)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .aggregate(last=Max("path"))["last"]
    )
    number = 1
    if last:
        step = last[-4:]
        number = 0
        for char in step:
            number = number * 36 + alphabet.index(char)
        number += 1
    digits = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        digits = alphabet[rest] + digits
    return parent.path + digits


def create_library_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("content", "HomePage")

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # wagtailcore always creates one; nothing sensible to do without it
        return
    home = HomePage.objects.order_by("path").first()
    if home is None:
        content_type, _ = ContentType.objects.get_or_create(app_label="content", model="homepage")
        locale = Locale.objects.order_by("pk").first()
        slug = SLUG
        while Page.objects.filter(depth=2, slug=slug).exists():
            slug += "-home"
        home = HomePage.objects.create(
            title=TITLE,
            draft_title=TITLE,
            slug=slug,
            content_type=content_type,
            path=_child_path(root, Page),
            depth=2,
            numchild=0,
            url_path=f"{root.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            locale=locale,
            intro="<p>Reference material and training: our service standards, customer "
            "personas, journey maps, playbooks, modules and role-plays.</p>",
        )

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True
        )
    elif site.root_page_id != home.pk:
        site.root_page_id = home.pk
        site.save(update_fields=["root_page"])

    # Wagtail's welcome page ("Welcome to your new Wagtail site!") goes once nothing uses it.
    welcome_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    for welcome in Page.objects.filter(depth=2, content_type=welcome_type, numchild=0):
        if not Site.objects.filter(root_page=welcome).exists():
            welcome.delete()
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_pages"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_library_home, migrations.RunPython.noop)]
