"""Forms of the roster import: the upload, and the confirm step that carries the rows."""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, ValidationError

from lms.people.roster.sheet import COLUMNS, MAX_BYTES, MAX_TEXT, RosterRow

ACCEPTED_FILES = ",".join((".csv", ".txt", ".xlsx", "text/csv", "text/plain",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
DAMAGED = _l("The confirmation was damaged. Upload the file again.")


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (Excel .xlsx or CSV)"),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ACCEPTED_FILES})


class RosterConfirmForm(FlaskForm):
    """The rows as written travel in one hidden field and are checked again in full on confirm."""

    payload = HiddenField(validators=[DataRequired(DAMAGED)])
    filename: str = ""
    rows: list[tuple[int, dict[str, str]]]

    def validate_payload(self, field: HiddenField) -> None:
        """Decode the rows; anything unreadable counts as a damaged confirmation."""
        try:
            self.filename, self.rows = decode_rows(field.data)
        except ValueError:
            raise ValidationError(DAMAGED) from None


def encode_rows(rows: list[RosterRow], filename: str) -> str:
    """The rows' cells as written, compressed into one form field."""
    body = {"file": filename[:MAX_TEXT],
            "rows": [[row.number, *(row.cells[c] for c in COLUMNS)] for row in rows]}
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")


def decode_rows(payload: str) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The file name and numbered rows of cells from a confirm field; ValueError when damaged."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(payload.encode("ascii")), MAX_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("too large or cut short")
        body = json.loads(raw.decode())
        rows = [(int(r[0]), dict(zip(COLUMNS, map(str, r[1:]), strict=True)))
                for r in body["rows"]]
        name = str(body["file"])
        if "\x00" in name or any("\x00" in cell for _, cells in rows for cell in cells.values()):
            raise ValueError("NUL character")  # no roster file holds one; PostgreSQL refuses it
        return name, rows
    except (TypeError, KeyError, IndexError, OverflowError, RecursionError, binascii.Error,
            zlib.error) as error:  # Infinity as a row number, arrays nested 100 000 deep
        raise ValueError("damaged") from error
