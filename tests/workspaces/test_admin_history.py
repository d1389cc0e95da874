"""An object's history page names people as the rest of the back office does: by name, not by e-mail."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

pytestmark = pytest.mark.django_db


def test_the_history_shows_who_by_name(client, owner, store):
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(store),
        object_id=str(store.pk),
        object_repr=str(store),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Name"]}}]',
    )
    client.force_login(owner)
    page = client.get(f"/admin/workspaces/store/{store.pk}/history/").content.decode()
    assert "<td>Sara Owner</td>" in page
    assert owner.email not in page
