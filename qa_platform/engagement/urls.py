"""Engagement URLs under /engagement/, one module per part so each stays small:
manage (HR builds, launches, closes surveys), answer (invitations, the form, the receipt),
results (overview, heatmap, item detail, comments, exports), actions (action plans, "you said, we
did", engagement ↔ CX and the CX overview)."""

from django.urls import include, path

app_name = "engagement"

urlpatterns = [
    path("", include("qa_platform.engagement.urls_manage")),
    path("", include("qa_platform.engagement.urls_answer")),
    path("", include("qa_platform.engagement.urls_results")),
    path("", include("qa_platform.engagement.urls_actions")),
    path("", include("qa_platform.engagement.urls_cx")),
]
