from django.urls import path

from credentials import views

urlpatterns = [
    path("new/<slug:connector_slug>/", views.credential_create, name="credential_create"),
    path("<int:pk>/", views.credential_detail, name="credential_detail"),
]
