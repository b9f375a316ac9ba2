from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nexlacreds.views import favicon, health

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico on pages that do not name an icon, such as the admin.
    path("favicon.ico", favicon),
    path("credentials/", include("credentials.urls")),
    path("", include("flows.urls")),
]
