from django.urls import path

from credentials import views

urlpatterns = [
    path("new/<slug:connector_slug>/", views.credential_create, name="credential_create"),
    path("new/<slug:connector_slug>/test/", views.credential_test_key, name="credential_test_key"),
    path("<int:pk>/", views.credential_detail, name="credential_detail"),
    path("<int:pk>/test/", views.credential_retest, name="credential_retest"),
]
