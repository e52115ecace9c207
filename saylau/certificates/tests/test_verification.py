"""The signed credential checked by an independent JOSE library against the served key set, tampering of any
field, revocation in the status list, the PDF read back (text, attachment, QR), the API and the commands."""

import base64
import io
import json
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from saylau.certificates import credential, keys, services
from saylau.certificates.models import Certificate, VerificationCheck
from saylau.certificates.pdf import embedded_credential


@pytest.fixture
def certificate(held_event):
    return Certificate.objects.get()


def served_keyset(client) -> KeySet:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return KeySet.import_key_set(response.json())


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_independent_jose_library_verifies_the_credential_with_the_served_keys(client, certificate):
    token = jws.deserialize_compact(certificate.credential, served_keyset(client), algorithms=["EdDSA"])
    header, payload = token.headers(), json.loads(token.payload)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt" and header["kid"] == certificate.key_id
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    subject = payload["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Омарова Айгүл Серікұлы"
    assert subject["achievement"]["name"] == certificate.award_title_kk
    assert payload["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    assert certificate.person.iin not in json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize("path", [("credentialSubject", "identifier", 0, "identityHash"), ("name",),
                                  ("validFrom",), ("credentialSubject", "achievement", "name"),
                                  ("certificateNumber",), ("credentialStatus", "statusListIndex")])
def test_changing_any_field_breaks_the_signature(client, certificate, path):
    header, body, signature = certificate.credential.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "ETC-2099-999999" if path[-1] == "certificateNumber" else "forged"
    forged = f"{header}.{b64(payload)}.{signature}"
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, served_keyset(client), algorithms=["EdDSA"])
    assert client.post("/api/v1/certificates/verify", {"jwt": forged},
                       content_type="application/json").json()["status"] == "tampered"


def test_a_credential_signed_with_another_key_is_tampered(client, certificate, tmp_path, settings):
    payload = credential.verify(certificate.credential)
    settings.CERTIFICATE_KEYS_DIR = tmp_path / "elsewhere"  # someone else's key, not published by us
    keys.generate()
    foreign = credential.sign(payload, keys.active_key())
    settings.CERTIFICATE_KEYS_DIR = tmp_path / "keys"
    assert client.post("/api/v1/certificates/verify", {"jwt": foreign},
                       content_type="application/json").json()["status"] == "tampered"


def test_rotation_keeps_old_credentials_verifiable(client, certificate, world):
    old_kid = certificate.key_id
    call_command("certificate_keys", "rotate", stdout=io.StringIO())
    kids = {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}
    assert old_kid in kids and len(kids) == 2
    assert credential.verify(certificate.credential)["certificateNumber"] == certificate.number
    retired = (keys._keys_dir() / f"{old_kid}.pem").read_text()
    assert "PRIVATE" not in retired  # only the public half of a retired key is kept
    again = services.reissue(by=world.admin, certificate=certificate, reason="name corrected")
    assert again.key_id != old_kid


def test_verification_by_number_page_and_api(client, certificate):
    page = client.get(reverse("certificates:verify_number", args=[certificate.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert certificate.holder_name in text and certificate.person.iin not in text
    body = client.get(f"/api/v1/certificates/{certificate.number}/verify").json()
    assert body == {"status": "valid", "number": certificate.number, "holder_name": certificate.holder_name,
                    "award": certificate.award_title_kk, "issued_on": certificate.issued_on.isoformat(),
                    "issuer": certificate.issuer_name_kk, "revoked_on": None, "revocation_reason": None,
                    "superseded": False}
    unknown = client.get("/api/v1/certificates/ETC-2020-999999/verify").json()
    assert unknown["status"] == "unknown" and unknown["holder_name"] is None
    assert VerificationCheck.objects.filter(number=certificate.number, status="valid").count() == 2


def test_revoked_is_shown_as_revoked_and_published_in_the_status_list(client, certificate, world):
    services.revoke(by=world.admin, certificate=certificate, reason="Attendance falsified")
    body = client.get(f"/api/v1/certificates/{certificate.number}/verify").json()
    assert body["status"] == "revoked" and body["revocation_reason"] == "Attendance falsified"
    assert "Attendance falsified" in client.get(f"/verify/{certificate.number}/").content.decode()
    token = client.get(reverse("certificates:status_list", args=[1])).content.decode()
    listed = jws.deserialize_compact(token, served_keyset(client), algorithms=["EdDSA"])
    encoded = json.loads(listed.payload)["credentialSubject"]["encodedList"]
    bits = credential.decode_bitstring(encoded)
    assert len(bits) * 8 >= credential.MIN_STATUS_LIST_BITS
    assert credential.is_set(bits, certificate.status_index)
    assert not credential.is_set(bits, certificate.status_index + 1)


def test_the_pdf_holds_the_kazakh_name_the_number_and_the_credential(client, certificate):
    data = services.pdf_bytes(certificate)
    assert data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "Омарова Айгүл Серікұлы" in text
    assert certificate.number in text
    assert "ә" in text or "ұ" in text or "қ" in text  # Kazakh letters survive extraction
    assert embedded_credential(data) == certificate.credential


def test_the_qr_code_decodes_to_the_verification_address(certificate, tmp_path):
    import zxingcpp
    from PIL import Image

    (tmp_path / "c.pdf").write_bytes(services.pdf_bytes(certificate))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
                   check=True)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "c.png"))]
    assert credential.verification_url(certificate.number) in found


def test_uploaded_pdfs_genuine_altered_and_foreign(client, certificate):
    data = services.pdf_bytes(certificate)
    genuine = client.post("/api/v1/certificates/verify", {"file": _upload(data, "c.pdf")}).json()
    assert genuine["status"] == "valid" and genuine["number"] == certificate.number
    altered = data.replace(b"/Subject", b"/Subjekt")
    assert client.post("/api/v1/certificates/verify", {"file": _upload(altered, "c.pdf")}).json()["status"] == \
        "tampered"
    page = client.post(reverse("certificates:verify"), {"file": _upload(altered, "c.pdf")})
    assert page.status_code == 200 and "verdict-tampered" in page.content.decode()
    jwt_file = client.post("/api/v1/certificates/verify",
                           {"file": _upload(certificate.credential.encode(), "c.jwt")}).json()
    assert jwt_file["status"] == "valid"
    junk = client.post("/api/v1/certificates/verify", {"file": _upload(b"\x00\x01binary", "x.bin")})
    assert junk.status_code == 400 and junk.json()["code"] == "unreadable"


def test_a_superseded_revision_is_genuine_but_flagged(client, certificate, world):
    old = certificate.credential
    services.reissue(by=world.admin, certificate=certificate, reason="name corrected")
    body = client.post("/api/v1/certificates/verify", {"jwt": old}, content_type="application/json").json()
    assert body["status"] == "valid" and body["superseded"] is True


def _upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_verification_is_rate_limited(client, certificate, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CERTIFICATE_VERIFY_RATE = 3
    statuses = [client.get(f"/api/v1/certificates/{certificate.number}/verify").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(f"/verify/{certificate.number}/").status_code == 429
    cache.clear()


def test_the_list_is_scoped_and_downloads_are_for_the_holder_and_managers(client, certificate, world):
    client.force_login(world.participant)  # member1, the holder
    listed = client.get("/api/v1/certificates").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == certificate.number
    assert listed["items"][0]["person_id"] == world.member1.pk and listed["items"][0]["status"] == "valid"
    assert client.get(f"/api/v1/certificates/{certificate.number}/pdf").content.startswith(b"%PDF")
    assert client.get(f"/api/v1/certificates/{certificate.number}/credential").content.decode() == \
        certificate.credential
    client.force_login(world.abai_coordinator)
    assert client.get("/api/v1/certificates").json()["count"] == 0
    assert client.get(f"/api/v1/certificates/{certificate.number}/pdf").status_code == 404
    client.force_login(world.trainer)  # sees the region's certificates, downloads none
    assert client.get(f"/api/v1/certificates/{certificate.number}/pdf").status_code == 403
    client.force_login(world.coordinator)
    assert client.get(f"/api/v1/certificates?event={certificate.award.event_id}").json()["count"] == 1


def test_commands_issue_and_verify(world, award):
    from .conftest import attend

    attend(award.event.s1, world.member2)
    attend(award.event.s2, world.member2)
    attend(award.event.s3, world.member2)
    out = io.StringIO()
    call_command("issue_certificates", "--event", str(award.event_id), stdout=out, stderr=io.StringIO())
    number = out.getvalue().strip()
    assert Certificate.objects.get(number=number).person == world.member2
    call_command("verify_certificate", number, stdout=io.StringIO())  # exit 0
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_certificate", "ETC-1999-000001", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_status.value.code == 1


def test_zip_of_all_pdfs(client, certificate, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("certificates:award_zip", args=[certificate.award_id]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{certificate.number}.pdf"]


def test_fractional_hours_read_right_in_russian(world, enrolled):
    from .conftest import attend

    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=30,
                               hours=Decimal("2.5"))
    attend(enrolled.s1, world.member1)
    [issued] = services.issue_due(award=award)
    text = subprocess.run(["pdftotext", "-", "-"], input=services.pdf_bytes(issued), capture_output=True,
                          check=True).stdout.decode()
    assert "2,5 часа" in text and "2.5 сағат" in text
