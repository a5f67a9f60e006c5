"""Training front end: my training, taking modules, playing role-plays, grading free responses,
assigning, certificates and reports. Each feature's module owns its `urlpatterns`."""
