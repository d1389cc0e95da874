"""Files on object storage (PRODUCT.md section 11): a scan uploaded through one app server is served through the
other from SeaweedFS's S3 gateway, by a presigned URL of a few minutes, to members only; it never touches the app
servers' disks."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from PIL import Image

from tests.scale.conftest import STATE, Setup, Shop, expect


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def files_under(path: Path) -> set[Path]:
    return {item for item in path.rglob("*") if item.is_file()} if path.exists() else set()


def test_a_scan_uploaded_through_one_server_is_served_through_the_other_from_object_storage(
    setup: Setup, shop: Shop
):
    first, second = setup.apps
    http = shop.session()
    media = STATE / "app" / "media"  # the app servers' VAR_DIR (deploy/app.env.template)
    before = files_under(media)
    supplier = expect(
        http.post(f"{shop.root(first)}/suppliers", json={"name": "مورد الصور"}, timeout=30), 201
    )
    url = f"{shop.root(first)}/suppliers/{supplier['supplier']['id']}/invoice-image"
    uploaded = expect(http.post(url, files={"file": ("scan.png", picture(), "image/png")}, timeout=30), 201)
    path = urlsplit(uploaded["url"]).path

    served = http.get(f"{second}{path}", allow_redirects=False, timeout=30)
    assert served.status_code == 302
    location = served.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert urlsplit(location).port == int(os.environ.get("SCALE_S3_PORT", "8333"))  # SeaweedFS, not an app
    assert 0 < int(query["X-Amz-Expires"][0]) <= 600
    content = requests.get(location, timeout=30)
    assert content.status_code == 200
    assert Image.open(io.BytesIO(content.content)).size == (64, 48)

    # Members only: no token, a 401; another workspace's owner, a 403 or a 404; without its signature, refused.
    assert requests.get(f"{second}{path}", allow_redirects=False, timeout=30).status_code == 401
    stranger = {
        "email": f"stranger-{uuid.uuid4().hex[:8]}@example.com",
        "password": f"Stranger-{uuid.uuid4().hex[:12]}-Zq9!",
        "name": "Stranger",
        "workspaceName": "Another shop",
    }
    registered = expect(requests.post(f"{setup.url}/v1/auth/register", json=stranger, timeout=30), 201)
    as_stranger = {"Authorization": f"Bearer {registered['access']}"}
    # Its own URL: not a member there (403); named under the stranger's workspace: not one of its files (404).
    foreign = requests.get(f"{second}{path}", headers=as_stranger, allow_redirects=False, timeout=30)
    assert foreign.status_code == 403
    elsewhere = f"{second}/v1/workspace/{registered['workspace']['id']}/files/{path.rsplit('/', 1)[1]}"
    assert requests.get(elsewhere, headers=as_stranger, allow_redirects=False, timeout=30).status_code == 404
    unsigned = location.split("?", 1)[0]
    assert requests.get(unsigned, timeout=30).status_code in (401, 403)
    # Nothing was written under the app servers' media folder.
    assert files_under(media) == before
