from django.urls import path

from .views import imports, people, teams, tokens

app_name = "people"

urlpatterns = [
    path("", people.person_list, name="list"),
    path("new/", people.person_create, name="create"),
    path("<int:pk>/", people.person_detail, name="detail"),
    path("<int:pk>/edit/", people.person_edit, name="edit"),
    path("<int:pk>/move/", people.person_move, name="move"),
    path("<int:pk>/roles/grant/", people.role_grant, name="grant"),
    path("roles/<int:pk>/revoke/", people.role_revoke, name="revoke"),
    path("memberships/<int:pk>/end/", people.membership_end, name="end_membership"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("import/", imports.import_upload, name="import"),
    path("import/template.csv", imports.import_template, name="import_template"),
]
