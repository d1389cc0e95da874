"""ZATCA phase 1 QR payload, checked with a decoder written here from the public TLV description."""

import base64
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from invoicing.zatca.phase1 import zatca_tlv_base64

FIELD_NAMES = {1: "seller_name", 2: "vat_number", 3: "timestamp", 4: "total_with_vat", 5: "vat_total"}


def decode(payload: str) -> list[tuple[int, str]]:
    """Base64 → bytes → (tag byte, length byte, `length` value bytes)*, values decoded as UTF-8."""
    raw = base64.b64decode(payload, validate=True)
    fields = []
    position = 0
    while position < len(raw):
        assert position + 2 <= len(raw), "truncated tag/length header"
        tag = raw[position]
        length = raw[position + 1]
        start = position + 2
        end = start + length
        assert end <= len(raw), "value runs past the end of the payload"
        fields.append((tag, raw[start:end].decode("utf-8")))
        position = end
    return fields


def decode_fields(payload: str) -> dict[str, str]:
    fields = decode(payload)
    assert [tag for tag, _value in fields] == [1, 2, 3, 4, 5]
    return {FIELD_NAMES[tag]: value for tag, value in fields}


def make(**overrides):
    arguments = {
        "seller_name": "Bobs Records",
        "vat_number": "310122393500003",
        "timestamp": datetime(2022, 4, 25, 15, 30, tzinfo=UTC),
        "total_with_vat": Decimal("1000.00"),
        "vat_total": Decimal("150.00"),
    }
    arguments.update(overrides)
    return zatca_tlv_base64(**arguments)


def test_known_payload_byte_for_byte():
    expected = (
        b"\x01\x0cBobs Records"
        b"\x02\x0f310122393500003"
        b"\x03\x142022-04-25T15:30:00Z"
        b"\x04\x071000.00"
        b"\x05\x06150.00"
    )
    assert base64.b64decode(make()) == expected
    assert make() == base64.b64encode(expected).decode("ascii")


def test_round_trip_fields():
    assert decode_fields(make()) == {
        "seller_name": "Bobs Records",
        "vat_number": "310122393500003",
        "timestamp": "2022-04-25T15:30:00Z",
        "total_with_vat": "1000.00",
        "vat_total": "150.00",
    }


def test_arabic_seller_name_lengths_are_in_bytes():
    name = "مؤسسة الأمل التجارية"
    payload = make(seller_name=name)
    raw = base64.b64decode(payload)
    assert raw[0] == 1
    assert raw[1] == len(name.encode("utf-8"))
    assert raw[1] > len(name)  # Arabic letters are two bytes each in UTF-8
    assert decode_fields(payload)["seller_name"] == name
    assert decode_fields(payload)["vat_number"] == "310122393500003"


def test_timestamp_is_converted_to_utc():
    riyadh = timezone(timedelta(hours=3))
    payload = make(timestamp=datetime(2024, 1, 15, 13, 0, 0, 987654, tzinfo=riyadh))
    assert decode_fields(payload)["timestamp"] == "2024-01-15T10:00:00Z"


def test_naive_timestamp_is_refused():
    with pytest.raises(ValueError):
        make(timestamp=datetime(2024, 1, 15, 10, 0))


@pytest.mark.parametrize(
    ("total", "vat", "expected_total", "expected_vat"),
    [
        (Decimal("1150"), Decimal("150"), "1150.00", "150.00"),
        (Decimal("0.345"), Decimal("0.045"), "0.35", "0.05"),  # half up to 2 places
        (Decimal("1E+3"), Decimal("0"), "1000.00", "0.00"),  # plain notation, never exponent
        (Decimal("12.5"), Decimal("1.630"), "12.50", "1.63"),
    ],
)
def test_amounts_are_plain_two_place_strings(total, vat, expected_total, expected_vat):
    fields = decode_fields(make(total_with_vat=total, vat_total=vat))
    assert fields["total_with_vat"] == expected_total
    assert fields["vat_total"] == expected_vat


def test_value_of_255_bytes_is_accepted_and_256_refused():
    name = "ب" * 127 + "x"  # 2 × 127 + 1 = 255 bytes
    assert decode_fields(make(seller_name=name))["seller_name"] == name
    with pytest.raises(ValueError):
        make(seller_name="ب" * 128)  # 256 bytes although only 128 characters
    with pytest.raises(ValueError):
        make(vat_number="3" * 256)


@pytest.mark.parametrize("overrides", [{"seller_name": ""}, {"vat_number": "  "}])
def test_empty_text_is_refused(overrides):
    with pytest.raises(ValueError):
        make(**overrides)


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        make(total_with_vat=1150.0)
    with pytest.raises(ValueError):
        make(vat_total=Decimal("NaN"))


def test_payload_is_ascii_base64():
    payload = make(seller_name="شركة")
    assert payload.isascii()
    assert base64.b64encode(base64.b64decode(payload)).decode() == payload
