"""The XLSX: the sheet's XML written here as text, a few hundred rows at a time, into a zip that is deflated and
sent as it is made (no temporary file, no openpyxl at run time)."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from suppliers import error_codes
from suppliers.exports.common import (
    COLUMNS,
    CURRENCY_INDEX,
    DATE_FORMAT,
    DATETIME_FORMAT,
    ROWS_PER_BATCH,
    XLSX_MAX_ROWS,
    Totals,
    Words,
    current_words,
    places_of,
    quoted,
)
from workspaces.errors import ApplicationError

# --- XLSX ----------------------------------------------------------------------------------------------------
#
# An XLSX is a zip of XML parts. The sheet is written here as text, row by row, straight into a deflate stream
# whose output is sent as it comes: the first bytes leave before the first row is read, memory holds one batch of
# rows, and the time is the rows' formatting plus zlib (openpyxl built and serialised an object per cell: 28 s
# to the first byte for 200,000 rows). Cells are numbers, dates (Excel serial days) and inline strings, styled by
# index into a fixed `styles.xml`; the parts that depend on the last row (the filter's defined name) are written
# after the sheet, which the zip's central directory allows.


def check_xlsx_size(count: int, *, totals_rows: int = 1) -> None:
    """400 pointing to CSV when `count` invoices, the header and the totals rows do not fit in a sheet."""
    limit = XLSX_MAX_ROWS - totals_rows
    if count > limit:
        raise ApplicationError(
            _("More than %(max)d rows do not fit in a sheet: export as CSV (format=csv).") % {"max": limit},
            code=error_codes.TOO_MANY_ROWS,
            status=400,
            details={"rows": count, "maxRows": limit, "format": "csv"},
        )


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0: dropped
_SPECIAL_XML = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REPEATED_TEXTS = 10_000
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 (its day 60 is the fictitious 1900-02-29)
_LETTERS = tuple(chr(ord("A") + n) for n in range(len(COLUMNS)))  # 16 columns: A to P
# zlib's level: sheet XML is repetitive, level 1 already shrinks it ~10 times, for a fraction of level 6's CPU
_COMPRESSION = 1

# Cell styles, the indexes of `cellXfs` in `_STYLES`: plain, bold, date, date-time, then money with 0-3 places,
# then the same in bold (the totals row).
_BOLD, _DATE, _DATETIME, _MONEY, _MONEY_BOLD = 1, 2, 3, 4, 8
# (numFmtId, code) for 0 to 3 places (MONEY_DECIMAL_PLACES); Excel's builtin formats 3 and 4 have no code to declare
_MONEY_FORMATS = ((3, None), (166, "#,##0.0"), (4, None), (167, "#,##0.000"))
_APPLY_FONT = ("", ' applyFont="1"')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<numFmts count="4"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/>'
    + "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in _MONEY_FORMATS if code)
    + '</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="12"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    + "".join(
        f'<xf numFmtId="{i}" fontId="{font}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
        f"{_APPLY_FONT[font]}/>"
        for font in (0, 1)
        for i, _code in _MONEY_FORMATS
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_RIGHT_TO_LEFT = ("", ' rightToLeft="1"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_PARTS = (
    (
        "[Content_Types].xml",
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    ),
    (
        "_rels/.rels",
        _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    (
        "xl/_rels/workbook.xml.rels",
        _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    ),
    ("xl/styles.xml", _STYLES),
)


def _escape(value: str) -> str:
    if _SPECIAL_XML.search(value) is None:  # the common case: nothing to replace
        return value
    return _ILLEGAL_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: str) -> str:
    """An inline string's content: formula-like text quoted, XML escaped, edge spaces kept."""
    value = _escape(quoted(value))
    return f'<t xml:space="preserve">{value}</t>' if value != value.strip() else f"<t>{value}</t>"


def _serial(value: dt.date | dt.datetime) -> str:
    """Excel's serial day (days since 1899-12-30, the time as a fraction of the day), as openpyxl writes it."""
    days = value.toordinal() - _EXCEL_EPOCH
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1_000_000
        return repr(days + seconds / 86400) if seconds else str(days)
    return str(days)


class _Rows:
    """Writes the `<row>`s of one export, keeping what repeats from row to row: the words, each currency's digits,
    the escaped text of the columns whose values repeat (suppliers, VAT numbers, currencies; bounded)."""

    def __init__(self, words: Words) -> None:
        self.zone = words.zone
        self.statuses = {value: _text(label) for value, label in words.statuses.items()}
        self.flags = (_text(words.no), _text(words.yes))
        self.money: dict[str, tuple[Decimal, int]] = {}
        self.repeated: dict[str, str] = {}
        self.columns = tuple(
            (letter, column.kind, column.repeats) for letter, column in zip(_LETTERS, COLUMNS, strict=True)
        )

    def __call__(self, number: int, record: tuple[Any, ...], *, bold: bool = False) -> str:
        """Row `number` holding `record` (`None` leaves the cell out); `bold` for the totals."""
        currency = record[CURRENCY_INDEX]
        money = self.money.get(currency)
        if money is None:
            places = places_of(currency)
            money = self.money[currency] = (Decimal(1).scaleb(-places), places)
        quantum, places = money
        text_style = f' s="{_BOLD}"' if bold else ""
        cells = []
        for (letter, kind, repeats), value in zip(self.columns, record, strict=True):
            if value is None:
                continue
            if kind == "money":  # rounded half-up to the currency's digits, as `rounded_amount`
                amount = value.quantize(quantum, rounding=ROUND_HALF_UP)
                style = (_MONEY_BOLD if bold else _MONEY) + places
                cells.append(f'<c r="{letter}{number}" s="{style}"><v>{amount:f}</v></c>')
                continue
            if kind == "date":
                cells.append(f'<c r="{letter}{number}" s="{_DATE}"><v>{_serial(value)}</v></c>')
                continue
            if kind == "datetime":  # Excel has no time zones: the workspace's local time
                local = _serial(value.astimezone(self.zone))
                cells.append(f'<c r="{letter}{number}" s="{_DATETIME}"><v>{local}</v></c>')
                continue
            if kind == "id" and not isinstance(value, str):
                cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
                continue
            if kind == "status":
                text = self.statuses.get(value) or _text(value)
            elif kind == "flag":
                text = self.flags[bool(value)]
            elif repeats:
                text = self.repeated.get(value)
                if text is None:
                    if len(self.repeated) > _REPEATED_TEXTS:
                        self.repeated.clear()
                    text = self.repeated[value] = _text(value)
            else:
                text = _text(str(value))
            cells.append(f'<c r="{letter}{number}"{text_style} t="inlineStr"><is>{text}</is></c>')
        return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet(records: Iterable[tuple[Any, ...]], words: Words, last: list[int]) -> Iterator[bytes]:
    """`sheet1.xml` in pieces of a few hundred rows; `last` receives the last invoice row's number."""
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{column.width}" customWidth="1"/>'
        for n, column in enumerate(COLUMNS, 1)
    )
    header = "".join(
        f'<c r="{letter}1" s="{_BOLD}" t="inlineStr"><is>{_text(label)}</is></c>'
        for letter, label in zip(_LETTERS, words.header, strict=True)
    )
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0"'
        f"{_RIGHT_TO_LEFT[words.right_to_left]}>"
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData><row r="1">{header}</row>'
    ).encode()
    write = _Rows(words)
    totals = Totals()
    number = 1
    batch: list[str] = []
    for record in records:
        totals.add(record)
        number += 1
        batch.append(write(number, record))
        if len(batch) == ROWS_PER_BATCH:
            yield "".join(batch).encode()
            batch = []
    last.append(number)
    # The filter covers the header and the invoices, not the totals (sorting must not move them).
    for record in totals.records(words):
        number += 1
        batch.append(write(number, record, bold=True))
    batch.append(
        f'</sheetData><autoFilter ref="A1:{_LETTERS[-1]}{last[0]}"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )
    yield "".join(batch).encode()


def _workbook(words: Words, last_row: int) -> str:
    name = _escape(words.sheet_title)
    quoted = name.replace("'", "''")
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{name.replace(chr(34), "&quot;")}" sheetId="1" r:id="rId1"/></sheets>'
        f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"'{quoted}'!$A$1:${_LETTERS[-1]}${last_row}</definedName></definedNames></workbook>"
    )


class _Zip:
    """A zip written front to back, never seeking, so each byte can be sent as soon as it is made: every member's
    sizes and CRC follow its data (a data descriptor, flag 8) and are repeated in the central directory at the
    end. A member that may pass 4 GiB (the sheet) says version 4.5 in its local header with no extra field there,
    and past 4 GiB gets 8-byte sizes in its descriptor and a ZIP64 extra field in the central directory: the
    layout Excel accepts from a stream (github.com/rzymek/opczip); below 4 GiB it is a plain streamed zip."""

    _DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01: the parts have no meaningful time

    def __init__(self) -> None:
        self.offset = 0
        self.members: list[tuple[bytes, int, int, int, int]] = []

    def member(self, name: str, parts: Iterable[bytes], *, large: bool = False) -> Iterator[bytes]:
        encoded = name.encode()
        start = self.offset
        version = 45 if large else 20
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, version, 8, 8, 0, self._DOS_DATE, 0, 0, 0, len(encoded), 0
        )
        yield self._sent(header + encoded)
        compressor = zlib.compressobj(_COMPRESSION, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
            size += len(part)
            data = compressor.compress(part)
            if data:
                packed += len(data)
                yield self._sent(data)
        data = compressor.flush()
        packed += len(data)
        sizes = "QQ" if max(packed, size) >= 0xFFFFFFFF else "II"
        yield self._sent(data + struct.pack(f"<II{sizes}", 0x08074B50, crc, packed, size))
        self.members.append((encoded, crc, packed, size, start))

    def end(self) -> bytes:
        """The central directory and its end record (ZIP64 records when it starts past 4 GiB)."""
        start = self.offset
        directory = []
        for encoded, crc, packed, size, offset in self.members:
            large = [value for value in (size, packed, offset) if value >= 0xFFFFFFFF]
            extra = struct.pack(f"<HH{len(large)}Q", 1, 8 * len(large), *large) if large else b""
            size, packed, offset = (min(value, 0xFFFFFFFF) for value in (size, packed, offset))
            fixed = (0x02014B50, 45, 45, 8, 8, 0, self._DOS_DATE, crc, packed, size, len(encoded), len(extra))
            # then no comment, disk 0, no attributes, and where the member starts
            directory.append(struct.pack("<IHHHHHHIIIHHHHHII", *fixed, 0, 0, 0, 0, offset) + encoded + extra)
        body = b"".join(directory)
        tail = b""
        count = len(self.members)
        if start >= 0xFFFFFFFF:
            end64 = start + len(body)
            tail = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(body), start)
            tail += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(body), min(start, 0xFFFFFFFF), 0)
        return self._sent(body + tail)

    def _sent(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data


def xlsx_chunks(records: Iterable[tuple[Any, ...]], words: Words | None = None) -> Iterator[bytes]:
    """The workbook's bytes as they are made: the fixed parts at once, then the sheet as its rows are read, then
    the workbook part and the zip's directory. `words` defaults to the active language and time zone, resolved
    now (not when the body is streamed)."""
    return _xlsx_chunks(records, words or current_words())


def _xlsx_chunks(records: Iterable[tuple[Any, ...]], words: Words) -> Iterator[bytes]:
    archive = _Zip()
    for name, text in _PACKAGE_PARTS:
        yield from archive.member(name, [text.encode()])
    last: list[int] = []
    yield from archive.member("xl/worksheets/sheet1.xml", _sheet(records, words, last), large=True)
    yield from archive.member("xl/workbook.xml", [_workbook(words, last[0]).encode()])
    yield archive.end()
