from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrIINBackend(ModelBackend):
    """Log in with a username or with the 12-digit IIN of the person the account belongs to."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get(get_user_model().USERNAME_FIELD) or "").strip()
        if identifier.isdigit() and len(identifier) == 12:
            user = get_user_model().objects.filter(person__iin=identifier).first()
            if user is None:
                get_user_model()().set_password(password)  # same work as a real check: no timing oracle
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
            return None
        return super().authenticate(request, username=identifier, password=password, **kwargs)
