"""Certificates as Open Badges 3.0 credentials: the 1EdTech schema, the signature (checked with
libraries that did not make it), tampering, revocation, outdated status, keys and the CLI."""

from __future__ import annotations

import base64
import json
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import jwt as pyjwt
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from lms.certification import services as certification
from lms.courses.models import Course
from lms.extensions import db as _db
from lms.people.models import Role
from tests.conftest import login
from tests.factories import PASSWORD, certify, make_course, make_person, make_unit

SCHEMA = json.loads((Path(__file__).parent / "ob_v3p0_achievementcredential_schema.json")
                    .read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)


def _course_files(version: str, recertify: bool = False) -> dict[str, str]:
    front = ["title: VNeID cơ bản", "summary: Cài đặt và dùng VNeID an toàn.",
             f"version: '{version}'", "certificate_valid_months: 12", "tags: [VNeID, an toàn]"]
    if recertify:
        front.append("requires_recertification: true")
    return {"course.md": "---\n" + "\n".join(front) + "\n---\nGiới thiệu.\n",
            "01-gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nVNeID là gì.\n",
            "quiz.md": "---\ntitle: Kiểm tra\n---\n\n## VNeID do ai phát triển?\n\n"
                       "- [x] Bộ Công an\n- [ ] Bưu điện\n\n> Giải thích: Bộ Công an.\n"}


def _publish(files: dict[str, str]) -> Course:
    course = make_course(files, "vneid-co-ban")
    _db.session.commit()
    return course


@pytest.fixture()
def world(runner, tmp_path, db, today_is):  # noqa: ANN001, ANN201
    """A member of Thôn 1, Xã Như Xuân, Tỉnh Thanh Hóa holding a certificate issued today."""
    today_is(TODAY)
    course = _publish(_course_files("2026.1"))
    province = make_unit("Tỉnh Thanh Hóa", kind="province")
    commune = make_unit("Xã Như Xuân", province)
    village = make_unit("Thôn 1", commune, kind="village", team=True)
    member = make_person(unit=village, name="Nguyễn Thị Hằng", phone="0912345678",
                         birth_year=1961)
    admin = make_person(Role.ADMIN, None)
    certificate = certify(member, course, NOW)
    db.session.commit()
    return {"course": course, "member": member, "admin": admin, "certificate": certificate,
            "commune": commune, "village": village, "province": province}


def _download(client, world) -> str:  # noqa: ANN001
    login(client, world["member"].phone, PASSWORD)
    response = client.get(f"/certificates/{world['certificate'].id}.jwt")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def _key_set(client) -> KeySet:  # noqa: ANN001
    return KeySet.import_key_set(client.get("/credentials/keys.json").get_json())


def _joserfc_verify(token: str, key_set: KeySet) -> dict:
    """Verify with joserfc, a JOSE library the platform does not use to sign."""
    with warnings.catch_warnings():  # joserfc prefers RFC 9864's "Ed25519" to "EdDSA"
        warnings.simplefilter("ignore")
        kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
        key = key_set.get_by_kid(kid.rsplit("/", 1)[-1].removesuffix(".json"))
        return json.loads(jws.deserialize_compact(token, key, algorithms=["EdDSA"]).payload)


def test_the_credential_is_valid_against_1edtech_schema(client, world):
    credential = client.get(f"/verify/{world['certificate'].display_code}.json").get_json()
    validator = jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(credential)) == []
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"


def test_the_credential_says_who_what_when_and_by_whom_without_phone_or_birth_year(
        client, world):
    certificate = world["certificate"]
    response = client.get(f"/verify/{certificate.display_code}.json")
    assert response.mimetype == "application/ld+json"
    credential = response.get_json()
    assert credential["id"] == f"http://127.0.0.1:5000/verify/{certificate.display_code}"
    assert credential["validFrom"] == "2026-11-28T03:00:00Z"
    assert credential["validUntil"] == "2027-11-28T16:59:59Z"  # the last day, Vietnam time
    assert credential["issuer"]["name"] == "Xã Như Xuân"  # the commune, not the village
    assert credential["issuer"]["parentOrg"]["name"] == "Tỉnh Thanh Hóa"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "VNeID cơ bản"
    assert achievement["version"] == "2026.1"
    assert achievement["description"] == "Cài đặt và dùng VNeID an toàn."
    assert "80%" in achievement["criteria"]["narrative"]
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Nguyễn Thị Hằng"
    text = response.get_data(as_text=True)
    assert "0912345678" not in text and "1961" not in text
    assert credential["credentialStatus"]["statusAtSigning"] == "valid"


def test_accept_ld_json_on_the_verification_page_gives_the_same_credential(client, world):
    code = world["certificate"].display_code
    asked = client.get(f"/verify/{code}", headers={"Accept": "application/ld+json"})
    assert asked.mimetype == "application/ld+json"
    assert asked.get_json() == client.get(f"/verify/{code}.json").get_json()
    assert "Accept" in asked.headers["Vary"]
    page = client.get(f"/verify/{code}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]


def test_the_member_downloads_a_credential_whose_signature_other_libraries_verify(
        client, world):
    token = _download(client, world)
    page = client.get(f"/certificates/{world['certificate'].id}").get_data(as_text=True)
    assert f"/certificates/{world['certificate'].id}.jwt" in page
    payload = _joserfc_verify(token, _key_set(client))
    jwk = client.get("/credentials/keys.json").get_json()["keys"][0]
    public = pyjwt.PyJWK(jwk).key
    claims = pyjwt.decode(token, public, algorithms=["EdDSA"],
                          options={"verify_exp": False, "verify_nbf": False})
    assert claims == payload
    assert payload["jti"] == payload["id"] and payload["iss"] == payload["issuer"]["id"]
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    assert client.get(header["kid"].removeprefix("http://127.0.0.1:5000")).get_json() == jwk
    served = client.get(f"/verify/{world['certificate'].display_code}.json").get_json()
    served.pop("proof")
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf", "exp")} \
        == served


def _tampered(token: str, change) -> str:  # noqa: ANN001
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    change(data)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


CHANGES = {
    "name": lambda d: d.update(name=d["name"] + "!"),
    "validUntil": lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
    "validFrom": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
    "issuer": lambda d: d["issuer"].update(name="Xã Khác"),
    "subject": lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Ai Khác"),
    "achievement": lambda d: d["credentialSubject"]["achievement"].update(name="Khóa khác"),
    "status": lambda d: d["credentialStatus"].update(statusAtSigning="valid "),
    "id": lambda d: d.update(id=d["id"] + "X"),
    "removed field": lambda d: d.pop("description"),
    "added field": lambda d: d.update(extra=1),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_breaks_the_signature(client, runner, world, tmp_path, change):
    token = _download(client, world)
    forged = _tampered(token, CHANGES[change])
    with pytest.raises(BadSignatureError):
        _joserfc_verify(forged, _key_set(client))
    path = tmp_path / "forged.jwt"
    path.write_text(forged)
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1
    assert "signature does not match" in result.output


def test_the_verify_command_accepts_a_genuine_credential_and_reports_revocation(
        client, runner, world, db, tmp_path):
    path = tmp_path / "hang.jwt"
    path.write_text(_download(client, world))
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 0, result.output
    assert "Genuine and valid" in result.output and "Nguyễn Thị Hằng" in result.output

    certification.revoke_certificate(world["certificate"], actor=world["admin"],
                                     reason="Cấp nhầm người", now=NOW + timedelta(days=1))
    db.session.commit()
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1
    assert "revoked" in result.output and "Cấp nhầm người" in result.output


def test_a_revoked_certificate_answers_410_with_its_reason_as_json_and_html(client, world, db):
    certification.revoke_certificate(world["certificate"], actor=world["admin"],
                                     reason="Cấp nhầm người", now=NOW + timedelta(days=1))
    db.session.commit()
    code = world["certificate"].display_code
    response = client.get(f"/verify/{code}.json")
    assert response.status_code == 410
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 410 and body["revocationReason"] == "Cấp nhầm người"
    assert body["credentialStatus"]["revokedCredentials"][0]["revocationReason"] \
        == "Cấp nhầm người"
    asked = client.get(f"/verify/{code}", headers={"Accept": "application/ld+json"})
    assert asked.status_code == 410 and asked.get_json()["detail"] == "Cấp nhầm người"
    page = client.get(f"/verify/{code}")
    assert page.status_code == 410 and "Cấp nhầm người" in page.get_data(as_text=True)
    status = client.get(f"/credentials/status/{code}").get_json()
    assert status["state"] == "revoked"
    assert status["revokedCredentials"] == [{"id": f"http://127.0.0.1:5000/verify/{code}",
                                             "revocationReason": "Cấp nhầm người"}]


def test_an_outdated_certificate_says_so_in_credential_status_and_fails_the_command(
        client, runner, world, tmp_path, today_is):
    path = tmp_path / "hang.jwt"
    path.write_text(_download(client, world))
    _publish(_course_files("2027.1", recertify=True))
    today_is(TODAY + timedelta(days=1))
    code = world["certificate"].display_code
    credential = client.get(f"/verify/{code}.json").get_json()
    assert credential["credentialStatus"]["statusAtSigning"] == "outdated"
    assert credential["credentialStatus"]["statusReason"]
    assert client.get(f"/credentials/status/{code}").get_json()["state"] == "outdated"
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and "outdated" in result.output


def test_an_expired_certificate_fails_the_command(client, runner, world, tmp_path, today_is):
    path = tmp_path / "hang.jwt"
    path.write_text(_download(client, world))
    today_is(date(2027, 11, 29))
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and "expired" in result.output


def test_the_json_from_the_verification_address_verifies_and_any_change_fails(
        client, runner, world, tmp_path):
    """/verify/<code>.json carries its VC-JWT as an embedded proof (JwtProof2020)."""
    served = client.get(f"/verify/{world['certificate'].display_code}.json").get_json()
    assert served["proof"]["type"] == "JwtProof2020"
    path = tmp_path / "hang.json"
    path.write_text(json.dumps(served, ensure_ascii=False))
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 0, result.output
    served["credentialSubject"]["achievement"]["name"] = "Khóa khác"
    path.write_text(json.dumps(served, ensure_ascii=False))
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_a_file_that_is_not_a_signed_credential_is_refused(client, runner, world, tmp_path):
    plain = tmp_path / "plain.json"
    served = client.get(f"/verify/{world['certificate'].display_code}.json").get_json()
    del served["proof"]
    plain.write_text(json.dumps(served))
    result = runner.invoke(args=["lms", "verify-credential", str(plain)])
    assert result.exit_code == 1 and "no signature" in result.output
    garbage = tmp_path / "garbage.jwt"
    garbage.write_text("not a token")
    assert runner.invoke(args=["lms", "verify-credential", str(garbage)]).exit_code == 1


def test_a_credential_signed_with_another_key_is_not_genuine(client, runner, world, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    token = _download(client, world)
    payload = pyjwt.decode(token, options={"verify_signature": False})
    header = pyjwt.get_unverified_header(token)
    forged = pyjwt.encode(payload, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                          headers={"kid": header["kid"], "typ": "vc+jwt"})
    path = tmp_path / "forged.jwt"
    path.write_text(forged)
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_after_key_rotation_old_credentials_still_verify(client, runner, world, tmp_path):
    old = _download(client, world)
    result = runner.invoke(args=["lms", "rotate-credential-key"])
    assert result.exit_code == 0, result.output
    new = client.get(f"/certificates/{world['certificate'].id}.jwt").get_data(as_text=True)
    assert pyjwt.get_unverified_header(old)["kid"] != pyjwt.get_unverified_header(new)["kid"]
    key_set = _key_set(client)
    assert len(client.get("/credentials/keys.json").get_json()["keys"]) >= 2
    for token in (old, new):
        _joserfc_verify(token, key_set)
        path = tmp_path / "c.jwt"
        path.write_text(token)
        assert runner.invoke(args=["lms", "verify-credential", str(path)]).exit_code == 0


def test_the_issuer_has_a_profile_page_and_a_json_profile(client, world):
    commune = world["commune"]
    page = client.get(f"/issuers/{commune.id}")
    assert page.status_code == 200 and "Xã Như Xuân" in page.get_data(as_text=True)
    profile = client.get(f"/issuers/{commune.id}", headers={"Accept": "application/ld+json"})
    assert profile.get_json()["id"] == f"http://127.0.0.1:5000/issuers/{commune.id}"
    assert profile.get_json()["type"] == ["Profile"]
    assert client.get(f"/issuers/{world['village'].id}").status_code == 404
    assert client.get("/issuers/platform").status_code == 200


def test_links_in_the_credential_use_the_public_address_not_the_host(app, client, world):
    app.config["PUBLIC_URL"] = "https://lms.example.vn"
    try:
        credential = client.get(f"/verify/{world['certificate'].display_code}.json",
                                headers={"Host": "evil.example"}).get_json()
    finally:
        app.config["PUBLIC_URL"] = None
    text = json.dumps(credential)
    assert "evil.example" not in text
    assert credential["id"].startswith("https://lms.example.vn/verify/")
    assert credential["issuer"]["id"].startswith("https://lms.example.vn/issuers/")


def test_unknown_codes_answer_404_as_json(client, world):
    response = client.get("/verify/AAAA-BBBB-CCCC.json")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
