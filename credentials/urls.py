from django.urls import path

from credentials import views

urlpatterns = [
    path("", views.credential_list, name="credential_list"),
    path("new/<slug:connector_slug>/", views.credential_create, name="credential_create"),
    path("new/<slug:connector_slug>/test/", views.credential_test_key, name="credential_test_key"),
    path("<int:pk>/", views.credential_detail, name="credential_detail"),
    path("<int:pk>/edit/", views.credential_edit, name="credential_edit"),
    path("<int:pk>/replace-key/", views.credential_replace_key, name="credential_replace_key"),
    path("<int:pk>/test/", views.credential_retest, name="credential_retest"),
    path("<int:pk>/delete/", views.credential_delete, name="credential_delete"),
    path("<int:pk>/move/", views.credential_move_users, name="credential_move_users"),
]
