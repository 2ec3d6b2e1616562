"""Course folders as zip files, read defensively."""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from pathlib import PurePosixPath

from lms.content_errors import lazy_gettext as _l
from lms.courses.content import ContentError, ContentValidationError

MAX_ZIP_BYTES = 64 * 1024 * 1024  # uncompressed total (recordings are up to 15 MB each)
MAX_FILES = 500


def course_zip(slug: str, files: dict[str, bytes]) -> bytes:
    """A zip holding the folder `slug/` with the course files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# What zipfile raises for a damaged, encrypted or oddly compressed archive, beyond BadZipFile.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
               NotImplementedError, RuntimeError, ValueError)


def read_course_zip(data: bytes, name: str) -> tuple[str | None, dict[str, bytes]]:
    """(folder name if the zip holds one folder, files relative to it); refuses unsafe zips."""
    try:
        return _read_course_zip(data, name)
    except ContentValidationError:
        raise
    except _UNREADABLE:
        reason = _l("the zip file is damaged, encrypted or compressed in a way that cannot be "
                    "read")
        raise ContentValidationError([ContentError(name, 1, reason)]) from None


def _read_course_zip(data: bytes, name: str) -> tuple[str | None, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ContentValidationError([ContentError(name, 1, _l("not a zip file"))]) from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_FILES or sum(i.file_size for i in entries) > MAX_ZIP_BYTES:
        raise ContentValidationError([ContentError(name, 1, _l("the zip is too large"))])
    files: dict[str, bytes] = {}
    for info in entries:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or info.filename.startswith("/"):
            reason = _l("unsafe path in zip: %(path)s", path=info.filename)
            raise ContentValidationError([ContentError(name, 1, reason)])
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        files[str(path)] = archive.read(info)
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1 and all("/" in path for path in files):
        top = tops.pop()
        return top, {path.split("/", 1)[1]: data for path, data in files.items()}
    return None, files
