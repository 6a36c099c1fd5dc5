from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class EmailOrLoginBackend(ModelBackend):
    """Sign in with the e-mail or with the login of a migrated cabinet, in any letter case.

    Migrated cabinets may share one e-mail: signing in with it opens the one whose password matches.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get(get_user_model().USERNAME_FIELD) or "").strip()
        if not identifier or password is None:
            return None
        user_model = get_user_model()
        candidates = list(
            user_model._default_manager.filter(Q(email__iexact=identifier) | Q(login__iexact=identifier))[:20]
        )
        if not candidates:
            user_model().set_password(password)  # same time spent whether or not the login exists
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
