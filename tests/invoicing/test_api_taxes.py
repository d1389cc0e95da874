from decimal import Decimal

import pytest

from invoicing.models import Tax
from tests.conftest import client_for, make_staff
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.invoicing.helpers import body, stamp

pytestmark = pytest.mark.django_db


def url(workspace, tax=None) -> str:
    base = f"/v1/workspace/{workspace.pk}/taxes"
    return f"{base}/{tax.pk}" if tax else base


def expected(tax: Tax) -> dict:
    tax.refresh_from_db()
    return {
        "id": str(tax.pk),
        "workspaceId": str(tax.workspace_id),
        "name": tax.name,
        "rate": tax.rate,
        "inclusive": tax.inclusive,
        "createdAt": stamp(tax.created_at),
        "updatedAt": stamp(tax.updated_at),
    }


def test_create_tax(owner_client, workspace):
    response = owner_client.post(
        url(workspace), {"name": "ضريبة القيمة المضافة", "rate": 15, "inclusive": False}
    )

    assert response.status_code == 201, response.content
    tax = Tax.objects.get()
    assert body(response) == {"tax": expected(tax)}
    assert (tax.workspace, tax.name, tax.rate, tax.inclusive) == (
        workspace,
        "ضريبة القيمة المضافة",
        Decimal(15),
        False,
    )
    assert b'"rate":15,' in response.content  # an exact number, trailing zeros dropped


def test_rate_keeps_four_decimals_exactly(owner_client, workspace):
    response = owner_client.post(url(workspace), {"name": "Levy", "rate": "12.3456"})

    assert response.status_code == 201
    assert b'"rate":12.3456,' in response.content
    assert Tax.objects.get().rate == Decimal("12.3456")


@pytest.mark.parametrize("prices_include_tax", [True, False])
def test_inclusive_defaults_to_the_workspace_setting(owner_client, workspace, prices_include_tax):
    workspace.prices_include_tax = prices_include_tax
    workspace.save()

    response = owner_client.post(url(workspace), {"name": "VAT", "rate": "15"})

    assert response.status_code == 201
    assert body(response)["tax"]["inclusive"] is prices_include_tax


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rate": -1}, "rate"),
        ({"rate": "100.0001"}, "rate"),
        ({"rate": 1000}, "rate"),
        ({"rate": "12.34567"}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"rate": None}, "rate"),
        ({"rate": True}, "rate"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"inclusive": "yes"}, "inclusive"),
    ],
)
def test_create_validation(owner_client, workspace, change, field):
    response = owner_client.post(url(workspace), {"name": "VAT", "rate": 15, **change})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not Tax.objects.exists()


def test_create_missing_fields(owner_client, workspace):
    response = owner_client.post(url(workspace), {})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "rate"}


def test_rate_bounds_are_allowed(owner_client, workspace):
    for name, rate in (("Zero", 0), ("All", 100)):
        response = owner_client.post(url(workspace), {"name": name, "rate": rate})
        assert response.status_code == 201, name
        assert (response.json()["tax"]["name"], response.json()["tax"]["rate"]) == (name, rate)
    assert sorted(Tax.objects.values_list("rate", flat=True)) == [Decimal(0), Decimal(100)]


def test_staff_with_catalog_permission_creates(workspace):
    api = client_for(make_staff(workspace, "catalog.manage"))
    assert api.post(url(workspace), {"name": "VAT", "rate": 15}).status_code == 201


def test_list_is_newest_first_and_only_this_workspace(workspace, staff, other_workspace):
    first = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))
    second = TaxFactory(workspace=workspace, name="Municipal", rate=Decimal("2.5"), inclusive=True)
    TaxFactory(workspace=other_workspace, name="Theirs")

    response = client_for(staff).get(url(workspace))  # any member reads

    assert response.status_code == 200
    assert body(response) == {"taxes": [expected(second), expected(first)], "nextCursor": None}


def test_list_pages_with_a_cursor(owner_client, workspace):
    taxes = [TaxFactory(workspace=workspace) for _ in range(3)]

    first = owner_client.get(url(workspace), {"limit": 2}).json()
    second = owner_client.get(url(workspace), {"limit": 2, "cursor": first["nextCursor"]}).json()

    assert [t["id"] for t in first["taxes"]] == [str(taxes[2].pk), str(taxes[1].pk)]
    assert [t["id"] for t in second["taxes"]] == [str(taxes[0].pk)]
    assert second["nextCursor"] is None


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count_does_not_grow(owner_client, workspace, django_assert_num_queries, rows):
    TaxFactory.create_batch(rows, workspace=workspace)
    with django_assert_num_queries(2):  # the member (one query), the page
        response = owner_client.get(url(workspace))
    assert len(response.json()["taxes"]) == rows


def test_get_tax(workspace, staff):
    tax = TaxFactory(workspace=workspace)
    response = client_for(staff).get(url(workspace, tax))
    assert response.status_code == 200
    assert body(response) == {"tax": expected(tax)}


def test_update_tax(owner_client, workspace):
    tax = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))

    response = owner_client.patch(url(workspace, tax), {"name": "VAT 5%", "rate": "5", "inclusive": True})

    assert response.status_code == 200, response.content
    assert body(response) == {"tax": expected(tax)}
    assert (tax.name, tax.rate, tax.inclusive) == ("VAT 5%", Decimal(5), True)


def test_update_only_what_is_sent(owner_client, workspace):
    tax = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"), inclusive=True)
    response = owner_client.patch(url(workspace, tax), {"rate": "16"})
    assert response.status_code == 200
    tax.refresh_from_db()
    assert (tax.name, tax.rate, tax.inclusive) == ("VAT", Decimal(16), True)


@pytest.mark.parametrize(
    ("change", "field"), [({"rate": 101}, "rate"), ({"rate": -0.5}, "rate"), ({"name": ""}, "name")]
)
def test_update_validation(owner_client, workspace, change, field):
    tax = TaxFactory(workspace=workspace, rate=Decimal("15"))
    response = owner_client.patch(url(workspace, tax), change)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    tax.refresh_from_db()
    assert tax.rate == Decimal("15")


def test_changing_kind_is_refused_while_a_product_would_mix_kinds(owner_client, workspace):
    vat = TaxFactory(workspace=workspace, inclusive=False)
    levy = TaxFactory(workspace=workspace, inclusive=False)
    ProductFactory(workspace=workspace, taxes=[vat, levy])

    response = owner_client.patch(url(workspace, vat), {"inclusive": True})

    assert response.status_code == 400
    assert "inclusive" in response.json()["errors"]
    vat.refresh_from_db()
    assert vat.inclusive is False


def test_changing_kind_is_allowed_when_no_product_mixes(owner_client, workspace):
    vat = TaxFactory(workspace=workspace, inclusive=False)
    ProductFactory(workspace=workspace, taxes=[vat])
    response = owner_client.patch(url(workspace, vat), {"inclusive": True})
    assert response.status_code == 200
    assert response.json()["tax"]["inclusive"] is True


def test_another_workspaces_tax_is_404_and_unchanged(owner_client, workspace, other_workspace):
    theirs = TaxFactory(workspace=other_workspace, name="Theirs")

    assert owner_client.get(url(workspace, theirs)).status_code == 404
    response = owner_client.patch(url(workspace, theirs), {"name": "Mine now"})

    assert response.status_code == 404
    assert response.json() == {"message": "Tax not found.", "code": "not_found"}
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
