"""A stored scan as an HTTP answer, the same for the API (`GET /v1/workspace/:id/files/:name`, a token) and the
admin (its session): a presigned redirect where storage signs URLs, else the bytes; images inline, PDFs as
attachments; always `nosniff` and a sandboxing CSP."""

from __future__ import annotations

import posixpath

from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect

from suppliers.models import InvoiceFile
from suppliers.services import images as files


def file_response(file: InvoiceFile) -> HttpResponseBase:
    presigned = files.invoice_file_presigned_url(file)
    if presigned is not None:
        response: HttpResponseBase = HttpResponseRedirect(presigned)
        response["Cache-Control"] = "private, no-store"  # the signature expires: ask again each time
    else:
        response = FileResponse(
            files.invoice_file_open(file),
            content_type=file.content_type,
            as_attachment=files.is_attachment(file),
            filename=posixpath.basename(file.name),
        )
        response["Cache-Control"] = "private, max-age=300"  # a name is never reused for other bytes
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
