"""Workbooks written with the same bytes every time: fixed document dates and zip entry times."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any


def fixed_bytes(book: Any, when: dt.datetime) -> bytes:
    """The workbook's bytes with `when` as its created and modified dates and as every zip entry's time."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # unlike openpyxl's save(), keeps our `modified` date
    # Zip entries carry the time of writing: write them again with a fixed one, so the bytes never change.
    stamp = when.timetuple()[:6]
    text = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # belt and braces: no clock time survives
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + text, data)
            entry = zipfile.ZipInfo(item.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()
