"""One web process for test_login_limits: tries wrong passwords against limits kept in Redis.

    python -m tests.people.limits_worker DATABASE_URL REDIS_URL KEY_PREFIX PHONE TRIES

prints the status code of each try as JSON. The person is created on first use."""

from __future__ import annotations

import json
import sys

from sqlalchemy import select

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db
from lms.people.models import Person
from tests.conftest import CSRF_PATTERN


def main(database: str, redis: str, prefix: str, phone: str, tries: int) -> list[int]:
    """The statuses of `tries` wrong logins for `phone` made by this process."""

    class Shared(TestConfig):
        SQLALCHEMY_DATABASE_URI = database
        RATELIMIT_STORAGE_URI = redis
        RATELIMIT_KEY_PREFIX = prefix

    app = create_app(Shared)
    with app.app_context():
        db.create_all()
        if db.session.scalar(select(Person).where(Person.phone == phone)) is None:
            person = Person(full_name="Người Thử", phone=phone)
            person.set_password("the right one")
            db.session.add(person)
            db.session.commit()
    client = app.test_client()
    token = CSRF_PATTERN.search(client.get("/login").get_data(as_text=True)).group(1)
    return [client.post("/login", data={"csrf_token": token, "phone": phone,
                                        "password": "a wrong one"}).status_code
            for _ in range(tries)]


if __name__ == "__main__":
    database, redis, prefix, phone, tries = sys.argv[1:]
    print(json.dumps(main(database, redis, prefix, phone, int(tries))))
