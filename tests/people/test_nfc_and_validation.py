"""Units and people: text is stored in NFC on every way in (forms, CLI, CSV, XLSX), and the CLI
refuses what the web forms refuse (control characters, values longer than their columns)."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

from sqlalchemy import func, select

from lms.people.areas.units import create_unit
from lms.people.models import Person, Role, Unit
from lms.people.roster.sheet import Problem, read_roster
from lms.people.services import PersonData, create_person
from lms.text import has_control_character, nfc
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit
from tests.people.test_roster import xlsx_bytes

NFC_NAME = unicodedata.normalize("NFC", "Thôn Hường")
NFD_NAME = unicodedata.normalize("NFD", "Thôn Hường")
assert NFC_NAME != NFD_NAME


def _count(db, model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_shared_helpers():
    assert nfc(NFD_NAME) == NFC_NAME
    assert has_control_character("a\x00b") and has_control_character("\x1b[31m")
    assert not has_control_character("Dòng 1\tDòng 2\r\n")


# --- import-units --csv ---------------------------------------------------------------------

def _csv(tmp_path, text: str):  # noqa: ANN001, ANN202
    path = tmp_path / "villages.csv"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def test_csv_refuses_nul_bytes_and_values_longer_than_their_columns(runner, db, tmp_path):
    make_unit("Xã Một", code="16174")
    db.session.commit()
    before = _count(db, Unit)
    csv = ("code,name,parent_code,kind,team\n"
           "16174-01,Thôn Một,16174,,\n"
           "16174-02,Thôn\x00Hai,16174,,\n"
           f"16174-03,{'x' * 5000},16174,,\n"
           f"{'9' * 500},Thôn Bốn,16174,,\n"
           "16174 05,Thôn Năm,16174,,\n"
           "16174-06,Thôn Sáu,16174,village\x00,yes\n")
    result = runner.invoke(args=["lms", "import-units", "--csv", _csv(tmp_path, csv)])
    assert result.exit_code != 0
    output = result.output
    assert "dòng 2" not in output  # the good row is not blamed
    assert "dòng 3: Tên chứa ký tự điều khiển" in output
    assert "dòng 4: Tên đơn vị dài quá 200 ký tự" in output
    assert "dòng 5: Mã dài quá 40 ký tự" in output
    assert "dòng 6: Chỉ dùng chữ cái" in output
    assert "dòng 7: có ô chứa ký tự điều khiển" in output
    assert _count(db, Unit) == before  # all or nothing


def test_csv_names_are_stored_in_nfc_so_look_alikes_are_one_unit(runner, db, tmp_path):
    make_unit("Xã Một", code="16174")
    db.session.commit()
    first = runner.invoke(args=["lms", "import-units", "--csv", _csv(
        tmp_path, f"code,name,parent_code\n16174-01,{NFD_NAME},16174\n")])
    assert first.exit_code == 0, first.output
    assert db.session.scalar(select(Unit.name).where(Unit.code == "16174-01")) == NFC_NAME
    again = runner.invoke(args=["lms", "import-units", "--csv", _csv(
        tmp_path, f"code,name,parent_code\n16174-01,{NFC_NAME},16174\n")])
    assert "0 created, 0 updated, 1 unchanged" in again.output


def test_the_service_refuses_what_the_form_refuses(db):
    import pytest

    from lms.errors import LmsError

    for code, name, field in (("A" * 41, "Thôn", "code"), ("A B", "Thôn", "code"),
                              ("A1", "x" * 201, "name"), ("A1", "Thôn\x01", "name")):
        with pytest.raises(LmsError) as refused:
            create_unit(code=code, name=name, kind="village", parent=None)
        assert refused.value.field == field
    assert create_unit(code="A1", name=NFD_NAME, kind="village", parent=None).name == NFC_NAME


# --- create-user and people -----------------------------------------------------------------

def test_create_user_stores_nfc_and_refuses_what_the_form_refuses(runner, db):
    base = ["lms", "create-user", "--password", "a good password"]
    made = runner.invoke(args=[*base, "--phone", "0912000111", "--name", "Lò Thị " + NFD_NAME])
    assert made.exit_code == 0, made.output
    assert db.session.scalar(select(Person.full_name)) == "Lò Thị " + NFC_NAME
    too_long = runner.invoke(args=[*base, "--phone", "0912000112", "--name", "x" * 201])
    assert too_long.exit_code != 0 and "200" in too_long.output
    control = runner.invoke(args=[*base, "--phone", "0912000113", "--name", "Hà\x1bVăn"])
    assert control.exit_code != 0 and "ký tự điều khiển" in control.output
    assert _count(db, Person) == 1


def test_service_checks_position_and_email_sizes(db):
    import pytest

    from lms.errors import LmsError

    for extra, field in (({"position": "x" * 201}, "position"),
                         ({"email": "a" * 250 + "@x.vn"}, "email")):
        with pytest.raises(LmsError) as refused:
            create_person(PersonData(full_name="An", phone="0912000114", **extra), password=None,
                          actor=None)
        assert refused.value.field == field


def test_web_forms_store_nfc_but_passwords_are_kept_as_typed(client, db):
    admin = make_person(Role.ADMIN)
    commune = make_unit("Xã Một", code="C-1")
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    response = post_form(client, "/units/new", {"code": "V-1", "name": NFD_NAME,
                                                "kind": "village", "parent": str(commune.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Unit.name).where(Unit.code == "V-1")) == NFC_NAME
    response = post_form(client, "/people/new", {
        "full_name": "Lò Thị " + NFD_NAME, "phone": "0933333333", "unit": str(commune.id),
        "role": "member", "active": "y", "gender": "",
        "position": unicodedata.normalize("NFD", "Tổ viên")})
    assert response.status_code == 200
    person = db.session.scalar(select(Person).where(Person.phone == "0933333333"))
    assert person.full_name == "Lò Thị " + NFC_NAME and person.position == "Tổ viên"
    # A password set with combining marks still opens the account when typed the same way.
    nfd_password = unicodedata.normalize("NFD", "mật khẩu dài")
    person.set_password(nfd_password)
    person.must_change_password = False
    db.session.commit()
    other = client.application.test_client()
    assert login(other, "0933333333", nfd_password).status_code == 302


def test_every_form_field_arrives_in_nfc(client, db):
    """The request's form is normalised once, so text no service looks at is NFC too."""
    from lms.authoring.models import CourseDraft
    from tests.authoring.test_editor import new_course, open_lesson

    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    new_course(client)
    post_form(client, "/author/khoa-moi/lessons", {"title": "Bài một"})
    post_form(client, "/author/khoa-moi/lessons/01-bai-mot.md", {
        "title": "Bài một", "body": NFD_NAME, "action": "save",
        **open_lesson(client, "khoa-moi", "01-bai-mot.md")})
    draft = db.session.scalar(select(CourseDraft))
    db.session.refresh(draft)
    lesson = next(f for f in draft.files if f.path == "01-bai-mot.md")
    assert NFC_NAME in lesson.text and NFD_NAME not in lesson.text


def test_web_unit_form_refuses_a_control_character_like_the_cli(client, db):
    admin = make_person(Role.ADMIN)
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    response = post_form(client, "/units/new", {"code": "V-2", "name": "Thôn\x07Hai",
                                                "kind": "village", "parent": ""})
    assert response.status_code == 200
    assert "ký tự điều khiển" in response.get_data(as_text=True)
    assert db.session.scalar(select(Unit).where(Unit.code == "V-2")) is None


# --- rosters ----------------------------------------------------------------------------------

def test_xlsx_roster_names_are_nfc_and_control_characters_are_a_row_problem():
    rows = [["Họ và tên", "SĐT", "Thôn"],
            [unicodedata.normalize("NFD", "Nguyễn Thị Hường"), "0912345601", NFD_NAME]]
    (row,) = read_roster(xlsx_bytes(rows), date(2026, 1, 1).year).rows
    assert row.name == "Nguyễn Thị Hường" and row.village == NFC_NAME and row.ok
    csv = "Họ và tên,SĐT,Thôn\nLê Văn\x01 Đức,0912345602,Thôn Một\n".encode()
    (row,) = read_roster(csv, date(2026, 1, 1).year).rows
    assert Problem.CONTROL_CHARACTER in {issue.code for issue in row.problems}


def test_roster_upload_stores_nfc(client, db):
    commune = make_unit("Xã Một", code="C-1")
    make_unit(NFC_NAME, commune, kind="village", code="V-1", team=True)
    officer = make_person(Role.OFFICER, commune)
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    data = xlsx_bytes([["Họ và tên", "SĐT", "Thôn"],
                       [unicodedata.normalize("NFD", "Nguyễn Thị Hường"), "0912345601",
                        NFD_NAME]])
    page = post_form(client, "/people/import", {"file": (io.BytesIO(data), "ds.xlsx")},
                     content_type="multipart/form-data").get_data(as_text=True)
    import re

    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    post_form(client, "/people/import/confirm", {"payload": payload})
    person = db.session.scalar(select(Person).where(Person.phone == "0912345601"))
    assert person is not None and person.full_name == "Nguyễn Thị Hường"
