"""Training URLs under /training/: each feature's views module owns its `urlpatterns`."""

from training.views import assign, grading, learn, modules, reports, scenarios

app_name = "training"

urlpatterns = [
    *learn.urlpatterns,
    *modules.urlpatterns,
    *scenarios.urlpatterns,
    *grading.urlpatterns,
    *assign.urlpatterns,
    *reports.urlpatterns,
]
