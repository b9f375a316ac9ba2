from django.urls import path

from credentials.connectors import DESTINATION, SOURCE
from flows import views

urlpatterns = [path("", views.home, name="home")]

for role, prefix in ((SOURCE, "sources"), (DESTINATION, "destinations")):
    urlpatterns += [
        path(f"{prefix}/new/", views.choose_connector, {"role": role}, name=f"{role}_new"),
        path(
            f"{prefix}/new/<slug:connector_slug>/",
            views.authenticate,
            {"role": role},
            name=f"{role}_authenticate",
        ),
        path(
            f"{prefix}/new/<slug:connector_slug>/configure/",
            views.configure,
            {"role": role},
            name=f"{role}_configure",
        ),
        path(
            f"{prefix}/new/<slug:connector_slug>/configure/test/",
            views.configure_test,
            {"role": role},
            name=f"{role}_configure_test",
        ),
        path(f"{prefix}/<int:pk>/", views.endpoint_detail, {"role": role}, name=f"{role}_detail"),
    ]
