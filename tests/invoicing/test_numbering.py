import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from invoicing.models import DocumentCounter
from invoicing.numbering import format_number, number_next
from tests.factories import WorkspaceFactory


@pytest.mark.parametrize(
    ("series", "value", "text"),
    [
        ("POS", 1, "POS-001"),
        ("POS", 42, "POS-042"),
        ("POS", 999, "POS-999"),
        ("POS", 1000, "POS-1000"),
        ("POS", 123456, "POS-123456"),
        ("api2", 1, "000001"),
        ("api2", 999999, "999999"),
        ("api2", 1000000, "1000000"),
    ],
)
def test_format_number(series, value, text):
    assert format_number(series, value) == text


@pytest.mark.django_db
def test_numbers_follow_each_other_per_workspace_and_series(workspace, other_workspace):
    assert [number_next(workspace=workspace, series="POS") for _ in range(3)] == [1, 2, 3]
    assert number_next(workspace=workspace, series="api2") == 1
    assert number_next(workspace=other_workspace, series="POS") == 1
    assert number_next(workspace=workspace, series="POS") == 4
    assert {(c.workspace_id, c.series, c.last_value) for c in DocumentCounter.objects.all()} == {
        (workspace.pk, "POS", 4),
        (workspace.pk, "api2", 1),
        (other_workspace.pk, "POS", 1),
    }


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_again(workspace):
    number_next(workspace=workspace, series="POS")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_next(workspace=workspace, series="POS") == 2
        raise RuntimeError("the document failed")
    assert number_next(workspace=workspace, series="POS") == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    workspace = WorkspaceFactory()
    with pytest.raises(TransactionManagementError):
        number_next(workspace=workspace, series="POS")
    assert not DocumentCounter.objects.exists()
