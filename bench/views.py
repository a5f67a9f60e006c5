"""The baseline: a bare Django view rendering the base template with one query of its own."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qa_platform.people.models import User


def bare(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/bare.html", {"people": User.objects.count()})
