from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import SignInForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("login/mfa/", views.mfa_verify, name="mfa_verify"),
    path("account/setup/<uidb64>/<token>/", views.account_setup, name="account_setup"),
    path("account/password/", views.password_change, name="password_change"),
]
