"""Guards for portal views."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext as _


def email_confirmed_required(view):
    """Let only users with a confirmed e-mail in: binding accounts or contracts, paying, readings (F-A1).

    Anyone else is told why and sent to the code screen, which brings them back here afterwards.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.email_confirmed:
            messages.warning(request, _("Для этого действия необходимо подтвердить адрес электронной почты."))
            return redirect_to_login(request.get_full_path(), reverse("selfservice:email_confirm"))
        return view(request, *args, **kwargs)

    return guarded
