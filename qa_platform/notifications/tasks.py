from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task


@task()
def send_email(*, to: str, subject: str, body: str) -> int:
    """Email goes through a task so a slow mail server never slows a page."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
