"""Strip metadata (camera, GPS position, author) from uploaded images without re-encoding."""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks a PNG needs to display correctly; text, time and EXIF chunks are dropped.
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
             b"sBIT", b"pHYs", b"acTL", b"fcTL", b"fdAT"}
# JPEG segments kept: JFIF (APP0), Adobe colour (APP14), ICC profile (APP2 "ICC_PROFILE").
_JPEG_STANDALONE = {0xD8, 0x01} | set(range(0xD0, 0xD8))


def strip_metadata(data: bytes, media_type: str) -> bytes:
    """The image without metadata; other types (and anything unparsable) come back unchanged."""
    try:
        if media_type == "image/png":
            return _strip_png(data)
        if media_type == "image/jpeg":
            return _strip_jpeg(data)
    except (struct.error, ValueError, IndexError):
        return data
    return data


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out, position = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        end = position + 12 + length
        if end > len(data):
            raise ValueError("truncated chunk")
        if kind in _PNG_KEEP:
            out.append(data[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out, position = [b"\xff\xd8"], 2
    while position < len(data):
        if data[position] != 0xFF:
            raise ValueError("bad marker")
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[position:])
            break
        if marker in _JPEG_STANDALONE:
            out.append(data[position:position + 2])
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        segment = data[position:position + 2 + length]
        payload = segment[4:]
        keep = not (0xE0 <= marker <= 0xEF or marker == 0xFE) or marker in (0xE0, 0xEE) or (
            marker == 0xE2 and payload.startswith(b"ICC_PROFILE"))
        if keep:
            out.append(segment)
        position += 2 + length
    return b"".join(out)
