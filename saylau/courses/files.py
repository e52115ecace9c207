"""Serving library files with byte ranges: a video player asks for the part it is about to play (and a phone on a
weak connection resumes a download where it stopped), so ``Range: bytes=a-b`` gets 206 with that part only."""

from __future__ import annotations

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CHUNK = 64 * 1024


def _chunks(handle, length: int):
    try:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single-range header; None when there is no usable range (send everything);
    False when the range lies outside the file (416)."""
    match = _RANGE.fullmatch((header or "").strip())
    if not match or not (match[1] or match[2]):
        return None
    if match[1]:
        first = int(match[1])
        last = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        first, last = max(size - int(match[2]), 0), size - 1
    if first >= size or first > last:
        return False
    return first, last


def serve(request, field_file, *, content_type: str, file_name: str, inline: bool = True):
    size = field_file.size
    wanted = byte_range(request.META.get("HTTP_RANGE", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = field_file.open("rb")
    if wanted is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        handle.seek(first)
        response = StreamingHttpResponse(_chunks(handle, last - first + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(not inline, file_name)
    response["Cache-Control"] = "private, max-age=3600"
    return response
