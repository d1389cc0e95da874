"""The XLSX is streamed as it is written (issue 18: the first byte of 200,000 rows within 5 s): its first bytes leave
before the first row is read, the zip is valid for any reader, and text reaches Excel exactly as stored."""

import datetime as dt
import io
import struct
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from suppliers import exports
from suppliers.exports import xlsx_file

WORDS = exports.words(language="en", zone="Asia/Riyadh", currency="SAR")


def _record(n: int, **changes):
    values = {
        "pk": n, "supplier": "Supplier", "vat": None, "number": f"INV-{n}", "issue": dt.date(2024, 1, 5), "due": None,
        "currency": "SAR", "total": Decimal("10.005"), "paid": Decimal("0"), "remaining": Decimal("10.005"),
        "status": "pending", "overdue": False, "description": None, "notes": None, "image": None,
        "created": dt.datetime(2024, 1, 5, 22, 30, tzinfo=dt.UTC),
    }  # fmt: skip
    values.update(changes)
    return tuple(values.values())


def test_the_first_bytes_leave_before_any_row_is_read():
    read = []

    def records():
        for n in range(3):
            read.append(n)
            yield _record(n)

    chunks = exports.xlsx_chunks(records(), WORDS)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04")
    assert read == []
    rest = b"".join(chunks)
    assert read == [0, 1, 2]
    workbook = load_workbook(io.BytesIO(first + rest), read_only=True)
    assert len(list(workbook.active.iter_rows(values_only=True))) == 5  # header, 3 invoices, totals


def test_the_zip_is_valid_and_streamed():
    data = b"".join(exports.xlsx_chunks([_record(1)], WORDS))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert set(archive.namelist()) == {
        "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
        "xl/worksheets/sheet1.xml", "xl/workbook.xml",
    }  # fmt: skip
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.flag_bits & 0x08  # sizes after the data: nothing is sought back
    assert sheet.compress_type == zipfile.ZIP_DEFLATED
    version = struct.unpack_from("<H", data, sheet.header_offset + 4)[0]
    assert version == 45  # the sheet may pass 4 GiB: Excel wants 4.5 in its local header


def test_a_member_past_4_gib_gets_a_zip64_extra_field():
    archive = xlsx_file._Zip()
    archive.members = [(b"xl/worksheets/sheet1.xml", 0, 600_000_000, 5 * 2**32, 1000)]
    directory = archive.end()
    assert (
        struct.unpack_from("<I", directory, 24)[0] == 0xFFFFFFFF
    )  # the uncompressed size is in the extra field
    assert struct.unpack_from("<I", directory, 20)[0] == 600_000_000
    name_length, extra_length = struct.unpack_from("<HH", directory, 28)
    extra = directory[46 + name_length : 46 + name_length + extra_length]
    assert struct.unpack("<HHQ", extra) == (1, 8, 5 * 2**32)


def test_text_reaches_the_sheet_exactly():
    """Markup characters escaped, edge spaces kept, characters XML cannot hold dropped, formulas quoted."""
    record = _record(
        1, supplier=" A & B <x> ", number="=1+1", description="line\x01one\nline two", vat="\u0661\u0662"
    )
    sheet = load_workbook(io.BytesIO(b"".join(exports.xlsx_chunks([record], WORDS)))).active
    row = [cell.value for cell in sheet[2]]
    assert row[1:4] == [" A & B <x> ", "\u0661\u0662", "'=1+1"]
    assert row[12] == "lineone\nline two"
    assert row[7] == 10.01  # rounded half-up to the currency's digits
    assert sheet["E2"].value == dt.datetime(2024, 1, 5) and sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["P2"].value == dt.datetime(2024, 1, 6, 1, 30)


def test_an_export_without_rows_has_the_header_and_a_zero_totals_row():
    sheet = load_workbook(io.BytesIO(b"".join(exports.xlsx_chunks([], WORDS)))).active
    assert sheet.max_row == 2
    assert sheet.auto_filter.ref == "A1:P1"
    assert [sheet.cell(row=2, column=c).value for c in (1, 7, 8)] == ["Totals", "SAR", 0]
