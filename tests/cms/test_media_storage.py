"""Media files in S3-compatible object storage (cms/storage.py), as several machines need them.

The bucket is served by moto's S3 server on loopback, spoken to over HTTP by the real boto3 and
django-storages: the boundary we do not own, replaced by a server that speaks its protocol."""

import io
import socket
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import stored_pdf
from cms.storage import s3_media_storage
from courses.services import complete_lesson

BUCKET = "training-media"

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """An empty private bucket, and the site's media storage pointed at it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_media_storage(BUCKET, endpoint_url=s3_endpoint, region="eu-west-2"),
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def certificate(enrolment, make_lesson):
    complete_lesson(enrolment, make_lesson())
    return Certificate.objects.get(enrolment=enrolment)


def test_a_certificate_pdf_is_stored_in_the_bucket_privately(bucket, certificate):
    stored_pdf(certificate)

    [item] = bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert item["Key"] == certificate.pdf.name
    body = bucket.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
    assert body.startswith(b"%PDF-")
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=item["Key"])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: not public
    assert not any("AllUsers" in str(grant["Grantee"]) for grant in grants)


def test_the_learner_downloads_it_from_the_bucket(bucket, certificate, client):
    client.force_login(certificate.learner)

    response = client.get(reverse("certificates:download", args=[certificate.pk]))

    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert certificate.code in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert len(bucket.list_objects_v2(Bucket=BUCKET)["Contents"]) == 1


def test_a_pdf_missing_from_the_bucket_is_rendered_again(bucket, certificate):
    name = stored_pdf(certificate).name
    bucket.delete_object(Bucket=BUCKET, Key=name)

    stored_pdf(certificate)

    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [certificate.pdf.name]


def test_links_to_media_are_signed_and_short_lived(bucket, certificate):
    name = stored_pdf(certificate).name

    query = parse_qs(urlsplit(storages["default"].url(name)).query)

    assert "X-Amz-Signature" in query
    assert int(query["X-Amz-Expires"][0]) == 300
