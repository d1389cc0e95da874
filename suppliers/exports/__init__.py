"""Supplier invoice exports for accountants (PRODUCT.md section 6, "Exports"; issues 17 and 18): CSV and XLSX, both
streamed row by row as they are read. The API's export and the admin's action both call `download()`.

What the accountant keeps: headers, statuses and "overdue" in the requester's language (Arabic or English); amounts
in the currency's minor digits (`1200.50`, KWD `1200.500`); dates and the creation time in the workspace's time
zone; the supplier's VAT number; a totals row per currency at the end, summed while the rows stream (no second
query). The XLSX has real number and date cells, column widths, a bold frozen header, an autofilter, and reads
right to left in Arabic.

Memory stays flat however many rows, and the first byte leaves at once (issue 18: openpyxl took 28 s to the first
byte of 200,000 rows, near gunicorn's timeout). `common`: the columns, the words and the rows; `csv_file`: the CSV
over a server-side iterator; `xlsx_file`: the sheet's XML written as text into a zip deflated and sent as it is
made (no temporary file, no openpyxl at run time: about 15 times faster); `files`: `download()`. Everything that
depends on the language or the time zone is resolved into `Words` before the response is returned: a streamed body
is produced after the view (and its `translation.override`) has exited.
"""

from suppliers.exports.common import (
    BOM,
    CHUNK_SIZE,
    COLUMNS,
    FIELDS,
    KINDS,
    LANGUAGES,
    XLSX_CONTENT_TYPE,
    XLSX_MAX_ROWS,
    Words,
    language_of,
    rows,
    words,
)
from suppliers.exports.csv_file import csv_lines
from suppliers.exports.files import download, filename
from suppliers.exports.xlsx_file import check_xlsx_size, xlsx_chunks

__all__ = [
    "BOM",
    "CHUNK_SIZE",
    "COLUMNS",
    "FIELDS",
    "KINDS",
    "LANGUAGES",
    "XLSX_CONTENT_TYPE",
    "XLSX_MAX_ROWS",
    "Words",
    "check_xlsx_size",
    "csv_lines",
    "download",
    "filename",
    "language_of",
    "rows",
    "words",
    "xlsx_chunks",
]
