"""The pages behind the links sent by e-mail (PRODUCT.md section 3): `/accounts/verify-email/<token>/`.

Opening the link changes nothing (mail scanners open links too): the page, in the user's language
(Accept-Language), has a button that posts the token back, with CSRF, through the same service as
`POST /v1/auth/verify-email`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from workspaces import services, verification
from workspaces.errors import ApplicationError
from workspaces.models import User

TEMPLATE = "accounts/verify_email.html"


def _usable(token: str) -> bool:
    user_id = verification.token_user_id(token)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    return user is not None and verification.token_matches(token, user)


@csrf_protect
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            user = services.email_verify(token=token)
        except ApplicationError:
            return render(request, TEMPLATE, {"state": "invalid"}, status=400)
        return render(request, TEMPLATE, {"state": "done", "email": user.email})
    if not _usable(token):
        return render(request, TEMPLATE, {"state": "invalid"}, status=400)
    return render(request, TEMPLATE, {"state": "confirm"})
