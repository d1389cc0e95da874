"""The outside review's attacks (issue 15), tried again against the product as deployed: gunicorn (2 workers, DEBUG
off, the real password hasher) on PostgreSQL. By hand, never in CI; prints one line per finding with its figures.

    .venv/bin/python tools/security_review.py
"""

from __future__ import annotations

import io
import os
import statistics
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("REVIEW_PORT", "8767"))
BASE = f"http://127.0.0.1:{PORT}"
DB = "invoicing_security_review"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECRET_KEY": "review-only-secret-key-of-at-least-32-bytes",
    "JWT_SIGNING_KEY": "review-only-jwt-key-of-at-least-32-bytes-long",
    "LOGIN_THROTTLE_FAILURES": "10",
    "LOGIN_THROTTLE_TRUSTED_PROXIES": "1",  # each phase below signs in from an address of its own (header only)
}
PY = str(ROOT / ".venv/bin/python")
PASSWORD = "review-pass-2026"

SETUP = f"""
from decimal import Decimal
from pos.models import OrderStatus
from workspaces.models import Membership, Store, User, Workspace
ws = Workspace.objects.create(name='Review')
store = Store.objects.create(workspace=ws, name='Main')
owner = User.objects.create_user(email='owner@review.example', password='{PASSWORD}', name='Owner')
Membership.objects.create(workspace=ws, user=owner, role=Membership.Role.OWNER, admin_access=True)
viewer = User.objects.create_user(email='viewer@review.example', password='{PASSWORD}', name='Viewer')
Membership.objects.create(workspace=ws, user=viewer, permissions=['suppliers.view'], admin_access=True)
OrderStatus.objects.create(workspace=ws, label_ar='خصم 50%', label_en='50% off', color='#ff0000')
print(ws.pk, store.pk)
"""


def sh(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{args[2:4]} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def say(finding: str, result: str) -> None:
    print(f"- {finding}: {result}", flush=True)


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def sign_in(email: str, password: str, address: str) -> requests.Response:
    return requests.post(
        f"{BASE}/v1/auth/token",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )


def token(email: str) -> str:
    response = sign_in(email, PASSWORD, "192.0.2.1")
    response.raise_for_status()
    return response.json()["access"]


def tall_png(height: int) -> bytes:
    """A 1 × `height` greyscale PNG, a few hundred KB: the review's decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00\x00" * height, 9)
    header = struct.pack(">IIBBBBB", 1, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def main() -> int:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True
    )
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    sh(PY, "manage.py", "migrate", "--noinput", "-v", "0")
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v", "0")
    workspace_id, _store_id = sh(PY, "manage.py", "shell", "-c", SETUP).split()[-2:]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        for _ in range(60):
            try:
                requests.get(f"{BASE}/api/schema/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        run(workspace_id)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def run(workspace_id: str) -> None:
    ws = f"{BASE}/v1/workspace/{workspace_id}"

    hostile = ('"' + '\\"' * (1024 * 1024 // 2 - 8)).encode()
    response, seconds = timed(
        lambda: requests.post(
            f"{BASE}/v1/auth/token", data=hostile, headers={"Content-Type": "application/json"}, timeout=120
        )
    )
    say(
        "1 MB of escaped quotes to POST /v1/auth/token (was: over an hour)",
        f"{response.status_code} {response.json().get('code')} in {seconds:.3f} s",
    )

    owner = {"Authorization": f"Bearer {token('owner@review.example')}"}
    viewer_token = token("viewer@review.example")

    schema = [timed(lambda: requests.get(f"{BASE}/api/schema/", timeout=30))[1] for _ in range(5)]
    say(
        "anonymous GET /api/schema/ (was: 0.2-0.3 s each)",
        f"median {statistics.median(schema) * 1000:.1f} ms",
    )

    unknown = [
        timed(lambda i=i: sign_in(f"nobody{i}@review.example", "x" * 12, f"192.0.2.{10 + i}"))[1]
        for i in range(5)
    ]
    known = [
        timed(lambda i=i: sign_in("owner@review.example", f"wrong-{i}-pass", f"192.0.2.{20 + i}"))[1]
        for i in range(5)
    ]
    say(
        "sign-in time, unknown e-mail vs known with a wrong password (was: 10 ms vs ~500 ms)",
        f"median {statistics.median(unknown) * 1000:.0f} ms vs {statistics.median(known) * 1000:.0f} ms",
    )

    codes = [sign_in("viewer@review.example", f"guess-{i}-x", "192.0.2.30").status_code for i in range(40)]
    right = sign_in("viewer@review.example", PASSWORD, "192.0.2.30")
    say(
        "40 wrong passwords then the right one, one account from one address (was: 40 × 401 then 200)",
        f"{codes.count(401)} × 401, {codes.count(429)} × 429, then {right.status_code} "
        f"(Retry-After {right.headers.get('Retry-After')})",
    )

    spaces = requests.post(
        f"{BASE}/v1/auth/register",
        json={"email": "spaces@review.example", "password": " " * 8, "name": "S", "workspaceName": "S"},
        timeout=30,
    )
    say(
        "a password of eight spaces (was: accepted)",
        f"{spaces.status_code} {sorted(spaces.json().get('errors', {}))}",
    )

    squat = requests.post(
        f"{BASE}/v1/auth/register",
        json={
            "email": "victim@review.example",
            "password": "squatter-pass-77",
            "name": "Squatter",
            "workspaceName": "Squat",
        },
        timeout=30,
    )
    added = requests.post(
        f"{ws}/staff",
        headers=owner,
        json={
            "email": "victim@review.example",
            "name": "Victim",
            "password": "shops-pass-2026-x",
            "permissions": ["store.orders.manage"],
            "adminAccess": True,
        },
        timeout=30,
    )
    squatter = {"Authorization": f"Bearer {squat.json()['access']}"}
    into = requests.get(f"{ws}/pos/invoices", headers=squatter, timeout=30)
    staff = added.json().get("staff", {})
    say(
        "a squatted address added as staff (was: the squatter logged in to the shop)",
        f"register {squat.status_code}; staff {added.status_code} status={staff.get('status')!r} "
        f"name={staff.get('name')!r}; squatter on the shop's invoices: {into.status_code}",
    )

    viewer = {"Authorization": f"Bearer {viewer_token}"}
    requests.post(f"{ws}/pos/sessions", headers=owner, json={"openingCash": 0}, timeout=30).raise_for_status()
    customer = requests.post(f"{ws}/clients", headers=owner, json={"name": "Client"}, timeout=30).json()
    requests.post(
        f"{ws}/pos/invoices", headers=owner, json={"clientId": customer["client"]["id"]}, timeout=30
    ).raise_for_status()
    # The cookies are `Secure` with DEBUG off: sent by hand over this plain-HTTP loopback.
    page = requests.get(f"{BASE}/admin/login/", timeout=30)
    csrf = page.cookies.get("csrftoken")
    login = requests.post(
        f"{BASE}/admin/login/",
        data={
            "username": "owner@review.example",
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf,
            "next": "/admin/",
        },
        headers={
            "Referer": f"{BASE}/admin/login/",
            "Cookie": f"csrftoken={csrf}",
            "X-Forwarded-For": "192.0.2.40",
        },
        allow_redirects=False,
        timeout=30,
    )
    session = login.cookies.get("sessionid")
    listing = requests.get(
        f"{BASE}/admin/pos/posinvoice/",
        headers={"Cookie": f"sessionid={session}"},
        allow_redirects=False,
        timeout=30,
    )
    shown = "50% off" in listing.text or "خصم 50%" in listing.text
    say(
        "the POS invoice list with an order status 'خصم 50%' (was: 500)",
        f"login {login.status_code}, list {listing.status_code}, label shown: {shown}",
    )

    png = tall_png(39_000_000)
    supplier = requests.post(f"{ws}/suppliers", headers=owner, json={"name": "Supplier"}, timeout=30).json()
    response, seconds = timed(
        lambda: requests.post(
            f"{ws}/suppliers/{supplier['supplier']['id']}/invoice-image",
            headers=owner,
            files={"file": ("bomb.png", io.BytesIO(png), "image/png")},
            timeout=120,
        )
    )
    say(
        f"a {len(png) // 1024} KB PNG of 1 × 39,000,000 pixels (was: 1.2 GB for 2.2 s, accepted)",
        f"{response.status_code} in {seconds:.3f} s",
    )

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), "white").save(buffer, "PNG")
    small = buffer.getvalue()
    stored = requests.post(
        f"{ws}/suppliers/{supplier['supplier']['id']}/invoice-image",
        headers=owner,
        files={"file": ("ok.png", io.BytesIO(small), "image/png")},
        timeout=60,
    )
    url = stored.json().get("url", "")
    anonymous = requests.get(url, timeout=30)
    member = requests.get(url, headers=owner, timeout=30)
    media = requests.get(f"{BASE}/media/", timeout=30)
    say(
        "a stored file's URL (was: dead with DEBUG off, public with it on)",
        f"upload {stored.status_code}; anonymous {anonymous.status_code}; the owner {member.status_code} "
        f"{member.headers.get('Content-Type')} nosniff={member.headers.get('X-Content-Type-Options')}; "
        f"/media/ {media.status_code}",
    )

    revoke = requests.get(f"{ws}/api-keys", headers=viewer, timeout=30)
    say(
        "a staff member with only suppliers.view reads the API keys (the API's side)", f"{revoke.status_code}"
    )

    edges = [
        requests.post(
            f"{ws}/suppliers/{supplier['supplier']['id']}/invoices",
            headers=owner,
            json={"invoiceNumber": "E-1", "totalAmount": 1, "issueDate": "9999-12-31T23:59:59.999999-23:59"},
            timeout=30,
        ),
        requests.get(
            f"{ws}/supplier-invoices",
            headers=owner,
            params={"dueDateTo": "0001-01-01T00:00:00+01:00"},
            timeout=30,
        ),
        requests.post(
            f"{ws}/suppliers/{supplier['supplier']['id']}/invoices",
            headers=owner,
            data=b'{"invoiceNumber": "\\ud800", "totalAmount": 1, "issueDate": "2024-01-01"}',
            timeout=30,
        ),
    ]
    say(
        "edge dates with an offset, a lone surrogate (was: 500)", ", ".join(str(r.status_code) for r in edges)
    )

    demo = subprocess.run([PY, "manage.py", "seed_demo"], cwd=ROOT, env=ENV, capture_output=True, text=True)
    say(
        "seed_demo with DEBUG off (was: the public demo accounts created)",
        f"exit {demo.returncode}: {demo.stderr.strip().splitlines()[-1] if demo.stderr.strip() else ''}",
    )


if __name__ == "__main__":
    sys.exit(main())
