from sqlalchemy import func, select

from lms.clock import local_today
from lms.people.models import Person, Role, Team, Unit
from tests.conftest import login


def test_create_user_then_log_in(runner, client, db):
    result = runner.invoke(args=["lms", "create-user", "--phone", "0912 000 111", "--password",
                                 "a good password", "--name", "Hà Văn Hùng", "--role", "member",
                                 "--birth-year", "1958"])
    assert result.exit_code == 0, result.output
    assert login(client, "0912000111", "a good password").status_code == 302


def test_create_user_refuses_duplicates_and_bad_input(runner, db):
    args = ["lms", "create-user", "--phone", "0912000111", "--password", "a good password",
            "--name", "A"]
    assert runner.invoke(args=args).exit_code == 0
    duplicate = runner.invoke(args=[*args[:3], "+84912000111", *args[4:]])
    assert duplicate.exit_code != 0
    assert runner.invoke(args=["lms", "create-user", "--phone", "0913000111", "--password", "short",
                               "--name", "B"]).exit_code != 0
    assert runner.invoke(args=["lms", "create-user", "--phone", "0914000111", "--password",
                               "a good password", "--name", "C", "--role", "officer"]
                         ).exit_code != 0  # an officer needs a unit
    assert runner.invoke(args=["lms", "create-user", "--phone", "0915000111", "--password",
                               "a good password", "--name", "D", "--unit", "NOPE"]).exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_import_units_from_the_package_is_idempotent(runner, db):
    first = runner.invoke(args=["lms", "import-units", "--provinces", "38"])
    assert first.exit_code == 0, first.output
    province = db.session.scalar(select(Unit).where(Unit.code == "38"))
    assert province.kind == "province" and "Thanh Hóa" in province.name
    communes = db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.parent_id == province.id))
    assert communes > 100
    second = runner.invoke(args=["lms", "import-units", "--provinces", "38"])
    assert "0 created" in second.output
    assert runner.invoke(args=["lms", "import-units", "--provinces", "999"]).exit_code != 0


def test_village_csv_good_and_bad(runner, db, tmp_path):
    runner.invoke(args=["lms", "import-units", "--provinces", "38"])
    good = tmp_path / "villages.csv"
    good.write_text("\ufeffcode,name,parent_code,kind\n16174-01,Khu phố Xuân Thịnh,16174,"
                    "neighbourhood\n16174-02,Thôn Hai,16174,\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-units", "--csv", str(good)])
    assert result.exit_code == 0, result.output
    village = db.session.scalar(select(Unit).where(Unit.code == "16174-01"))
    assert village.kind == "neighbourhood" and village.team is not None
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\n16174-03,Thôn Ba,16174\n,No code,16174\n"
                   "16174-05,Thôn Năm,00000\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-units", "--csv", str(bad)])
    assert result.exit_code != 0
    assert "dòng 3" in result.output and "dòng 4" in result.output
    assert db.session.scalar(select(Unit).where(Unit.code == "16174-03")) is None


def test_demo_twice_adds_nothing_the_second_time(runner, db):
    first = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Person, Unit, Team)]
    assert counts[2] == 127
    assert 850 <= counts[0] <= 1000
    second = runner.invoke(args=["lms", "demo"])
    assert "0 units and 0 people created" in second.output
    assert counts == [db.session.scalar(select(func.count()).select_from(model))
                      for model in (Person, Unit, Team)]
    officers = db.session.scalars(select(Person).where(Person.role == Role.OFFICER)).all()
    assert len(officers) == 3
    aged = db.session.scalar(select(func.count()).select_from(Person).where(
        Person.birth_year <= local_today().year - 50, Person.role.in_([Role.MEMBER, Role.LEADER])))
    members = db.session.scalar(select(func.count()).select_from(Person).where(
        Person.role.in_([Role.MEMBER, Role.LEADER])))
    assert 0.3 < aged / members < 0.5
    assert "0900000002" in first.output
