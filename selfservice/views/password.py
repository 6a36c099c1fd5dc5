"""«Изменение пароля» (seed 001 §13.1.3): old password, the new one twice, the checklist ticking as you type."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from ..forms.password import PasswordChangeForm
from ..services.password import password_replace


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    """«Сохранить» keeps this browser signed in and ends every other session; «Пароль изменён» is e-mailed."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_replace(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            keep_session_key=request.session.session_key,
        )
        update_session_auth_hash(request, request.user)  # a new session key; «Сессии» follows it (services.sessions)
        messages.success(request, _("Пароль изменён."))
        return redirect("selfservice:profile_security")
    return render(request, "selfservice/password/change.html", {"form": form})


urls = [
    path("profile/password/", password_change, name="password_change"),
]
