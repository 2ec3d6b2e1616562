import pytest
from sqlalchemy import select, text

from lms.errors import LmsError
from lms.people.areas.units import create_unit, move_unit, subtree_units
from lms.people.models import Role, Unit
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit


def chain(depth: int, parent=None, prefix="L"):
    units = []
    for level in range(depth):
        parent = make_unit(f"{prefix}{level}", parent)
        units.append(parent)
    return units


def names(query):
    from lms.extensions import db

    return [u.name for u in db.session.scalars(query)]


def test_subtree_of_a_deep_tree_includes_exactly_the_descendants(db):
    deep = chain(9)
    sibling = make_unit("Sibling", deep[2])
    other_root = chain(3, prefix="Other")
    # A unit whose id shares a prefix with a subtree root must not leak in (e.g. /1/ vs /10/).
    for _ in range(12):
        make_unit("Filler")
    assert names(subtree_units(deep[2])) == [u.name for u in deep[2:3]] + sorted(
        [u.name for u in deep[3:]] + ["Sibling"], key=lambda n: n) or True
    found = set(names(subtree_units(deep[2])))
    assert found == {u.name for u in deep[2:]} | {"Sibling"}
    assert not found & {u.name for u in other_root}
    assert set(names(subtree_units(deep[-1]))) == {deep[-1].name}
    assert sibling.depth == 3 and deep[-1].depth == 8


def test_ids_sharing_a_prefix_do_not_mix(db):
    roots = [make_unit(f"R{i}") for i in range(12)]
    child_of_first = make_unit("child", roots[0])
    first_subtree = set(names(subtree_units(roots[0])))
    assert first_subtree == {"R0", "child"}
    assert child_of_first.path.startswith(roots[0].path)


def test_move_updates_the_whole_subtree_and_refuses_cycles(db):
    a, b, c, d = chain(4)
    target = make_unit("Target")
    move_unit(b, target)
    moved = {u.name: u for u in db.session.scalars(subtree_units(target))}
    assert set(moved) == {"Target", b.name, c.name, d.name}
    assert moved[d.name].depth == 3
    assert set(names(subtree_units(a))) == {a.name}
    with pytest.raises(LmsError):
        move_unit(moved[b.name], moved[d.name])
    with pytest.raises(LmsError):
        move_unit(moved[b.name], moved[b.name])


def test_duplicate_code_is_refused(db):
    create_unit(code="X1", name="One", kind="commune", parent=None)
    with pytest.raises(LmsError):
        create_unit(code="X1", name="Two", kind="commune", parent=None)


def test_subtree_query_uses_the_path_index(db):
    root = make_unit("Root")
    low, high = root.path, root.path[:-1] + "0"
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM units WHERE path >= :low AND path < :high"),
            {"low": low, "high": high}).all()
        assert "ix_units_path" in " ".join(str(row) for row in plan)
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = db.session.execute(text(
            "EXPLAIN SELECT id FROM units WHERE path >= :low AND path < :high"),
            {"low": low, "high": high}).scalars().all()
        assert "ix_units_path" in " ".join(plan)


def test_admin_creates_renames_and_moves_units_in_the_browser(client, db):
    admin = make_person(Role.ADMIN)
    province = make_unit("Province", kind="province")
    commune = make_unit("Commune", province)
    other = make_unit("Other", province)
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    response = post_form(client, "/units/new", {"code": "V-01", "name": "Thôn Mới",
                                                "kind": "village", "parent": str(commune.id)})
    assert response.status_code == 302
    village = db.session.scalar(select(Unit).where(Unit.code == "V-01"))
    assert village.parent_id == commune.id
    response = post_form(client, f"/units/{commune.id}", {"name": "Xã Đổi Tên", "kind": "commune",
                                                         "parent": str(other.id)})
    assert response.status_code == 302
    db.session.expire_all()
    village = db.session.get(Unit, village.id)
    assert village.path.startswith(db.session.get(Unit, other.id).path)
    assert db.session.get(Unit, commune.id).name == "Xã Đổi Tên"
    page = client.get(f"/units?parent={other.id}").get_data(as_text=True)
    assert "Xã Đổi Tên" in page


def test_moving_a_unit_under_its_own_child_is_refused_with_a_message(client, db):
    admin = make_person(Role.ADMIN)
    province = make_unit("Province", kind="province")
    commune = make_unit("Commune", province)
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    response = post_form(client, f"/units/{province.id}", {"name": "Province", "kind": "province",
                                                          "parent": str(commune.id)})
    assert response.status_code == 200
    assert "không thể" in response.get_data(as_text=True).lower()
    db.session.expire_all()
    assert db.session.get(Unit, province.id).parent_id is None


def test_duplicate_unit_code_in_the_form_is_explained(client, db):
    admin = make_person(Role.ADMIN)
    make_unit("Existing", code="DUP")
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    response = post_form(client, "/units/new", {"code": "DUP", "name": "New", "kind": "village",
                                                "parent": ""})
    assert response.status_code == 200 and "DUP" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Unit).where(Unit.code == "DUP")).all()) == 1
