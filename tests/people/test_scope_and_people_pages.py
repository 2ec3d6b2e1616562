import pytest
from sqlalchemy import select

from lms.clock import local_today
from lms.people.models import Person, Role
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit


@pytest.fixture()
def area(db):
    """A district with communes A and B, each with a village team, and their people."""
    district = make_unit("District", kind="district")
    commune_a = make_unit("Commune A", district)
    commune_b = make_unit("Commune B", district)
    village_a = make_unit("Village A1", commune_a, kind="village", team=True)
    village_b = make_unit("Village B1", commune_b, kind="village", team=True)
    people = {
        "officer_a": make_person(Role.OFFICER, commune_a, name="Officer A"),
        "district_officer": make_person(Role.OFFICER, district, name="District Officer"),
        "admin": make_person(Role.ADMIN, None, name="Admin"),
        "member_a": make_person(Role.MEMBER, village_a, name="Nguyễn Văn An",
                                phone="0911111111", birth_year=1950),
        "young_a": make_person(Role.MEMBER, village_a, name="Trần Thị Bé",
                               phone="0911111112", birth_year=local_today().year - 20),
        "member_b": make_person(Role.MEMBER, village_b, name="Lò Văn Bình", phone="0922222222"),
        "trainer_b": make_person(Role.TRAINER, commune_b, name="Trainer B"),
    }
    db.session.commit()
    return {"village_a": village_a, "commune_a": commune_a, "commune_b": commune_b, **people}


def as_user(client, person):
    login(client, person.phone, PASSWORD)
    return client


def test_officer_gets_404_for_a_person_outside_their_commune(client, area):
    as_user(client, area["officer_a"])
    assert client.get(f"/people/{area['member_a'].id}").status_code == 200
    assert client.get(f"/people/{area['member_b'].id}").status_code == 404
    assert post_form(client, f"/people/{area['member_b'].id}/reset-password", {}).status_code == 404


def test_officer_lists_only_people_in_scope(client, area):
    page = as_user(client, area["officer_a"]).get("/people").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lò Văn Bình" not in page
    page = client.get(f"/people?unit={area['commune_b'].id}").get_data(as_text=True)
    assert "Lò Văn Bình" not in page


def test_district_officer_and_admin_see_both_communes(client, area):
    page = as_user(client, area["district_officer"]).get("/people").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lò Văn Bình" in page


@pytest.mark.parametrize("query,present,absent", [
    ("q=an", "Nguyễn Văn An", "Lò Văn Bình"),
    ("q=0922+222+222", "Lò Văn Bình", "Nguyễn Văn An"),
    ("q=%2B84922222222", "Lò Văn Bình", "Nguyễn Văn An"),
    ("age_band=60-plus", "Nguyễn Văn An", "Trần Thị Bé"),
    ("age_band=under-30", "Trần Thị Bé", "Nguyễn Văn An"),
    ("role=trainer", "Trainer B", "Nguyễn Văn An"),
])
def test_admin_search_and_filters(client, area, query, present, absent):
    page = as_user(client, area["admin"]).get(f"/people?{query}").get_data(as_text=True)
    assert present in page and absent not in page


def test_people_list_paginates(client, area, db):
    for number in range(30):
        make_person(Role.MEMBER, area["village_a"], name=f"Zed {number:02d}")
    db.session.commit()
    as_user(client, area["officer_a"])
    first = client.get("/people").get_data(as_text=True)
    second = client.get("/people?page=2").get_data(as_text=True)
    assert "Trang 1 / 2" in first or "Trang 1 trên 2" in first
    assert "Zed 29" in second and "Zed 29" not in first


def test_member_cannot_open_people_pages(client, area):
    as_user(client, area["member_a"])
    assert client.get("/people").status_code == 403
    assert client.get("/units").status_code == 403


def test_anonymous_is_sent_to_login(client, area):
    response = client.get("/people")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_officer_creates_a_member_who_gets_a_temporary_password(client, area, db):
    as_user(client, area["officer_a"])
    response = post_form(client, "/people/new", {
        "full_name": "  Vi   Thị Hoa ", "phone": "+84 933 333 333", "birth_year": "1961",
        "unit": str(area["village_a"].id), "role": "member", "gender": "female",
        "active": "y", "position": "Chi hội trưởng phụ nữ"})
    assert response.status_code == 200
    assert 'class="secret"' in response.get_data(as_text=True)
    person = db.session.scalar(select(Person).where(Person.phone == "0933333333"))
    assert person.full_name == "Vi Thị Hoa"
    assert person.team_id == area["village_a"].team.id
    assert person.must_change_password


def test_duplicate_phone_names_the_holder_and_stores_nothing(client, area, db):
    as_user(client, area["officer_a"])
    before = db.session.scalar(select(Person.id).order_by(Person.id.desc()))
    response = post_form(client, "/people/new", {
        "full_name": "Someone", "phone": "0911 111 111", "unit": str(area["village_a"].id),
        "role": "member", "gender": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nguyễn Văn An" in page
    assert db.session.scalar(select(Person.id).order_by(Person.id.desc())) == before


def test_duplicate_phone_outside_scope_does_not_leak_the_name(client, area, db):
    as_user(client, area["officer_a"])
    response = post_form(client, "/people/new", {
        "full_name": "Someone", "phone": "0922222222", "unit": str(area["village_a"].id),
        "role": "member", "gender": ""})
    page = response.get_data(as_text=True)
    assert "Lò Văn Bình" not in page and "ngoài địa bàn" in page


@pytest.mark.parametrize("field,value,message", [
    ("phone", "12345", "10 chữ số"),
    ("birth_year", "1800", "năm sinh"),
    ("full_name", "", "Nhập họ và tên"),
    ("role", "admin", "Not a valid choice"),
])
def test_bad_person_input_changes_nothing(client, area, db, field, value, message):
    as_user(client, area["officer_a"])
    data = {"full_name": "New Person", "phone": "0944444444", "birth_year": "1970",
            "unit": str(area["village_a"].id), "role": "member", "gender": ""}
    data[field] = value
    response = post_form(client, "/people/new", data)
    assert response.status_code == 200
    assert message.lower() in response.get_data(as_text=True).lower() or field == "role"
    assert db.session.scalar(select(Person).where(Person.phone == "0944444444")) is None


def test_officer_cannot_place_people_outside_scope(client, area, db):
    as_user(client, area["officer_a"])
    post_form(client, "/people/new", {
        "full_name": "Sneaky", "phone": "0955555555", "unit": str(area["commune_b"].id),
        "role": "member", "gender": ""})
    assert db.session.scalar(select(Person).where(Person.phone == "0955555555")) is None


def test_admin_edits_role_and_scope(client, area, db):
    as_user(client, area["admin"])
    member = area["member_b"]
    response = post_form(client, f"/people/{member.id}", {
        "full_name": member.full_name, "phone": member.phone, "role": "officer",
        "unit": str(area["commune_b"].id), "gender": "", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, member.id).role == Role.OFFICER


def test_officer_deactivates_a_member(client, area, db):
    as_user(client, area["officer_a"])
    member = area["member_a"]
    post_form(client, f"/people/{member.id}", {
        "full_name": member.full_name, "phone": member.phone, "role": "member",
        "unit": str(area["village_a"].id), "gender": ""})
    db.session.expire_all()
    assert db.session.get(Person, member.id).active is False
    assert login(client.application.test_client(), member.phone, PASSWORD).status_code == 200


def test_each_role_sees_its_own_navigation(client, area):
    expectations = {"member_a": ("Người dùng", False), "officer_a": ("Người dùng", True),
                    "admin": ("Địa bàn", True)}
    for key, (label, visible) in expectations.items():
        browser = client.application.test_client()
        page = as_user(browser, area[key]).get("/").get_data(as_text=True)
        assert (label in page) is visible, key
