"""Django's own words that its Arabic catalogue (Django 5.2) leaves in English on back-office pages: marked here so
that `make messages` keeps them in our catalogue, which Django reads before its own (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

UNTRANSLATED_BY_DJANGO = (
    # The user page's password field (django.contrib.auth.forms).
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
)
