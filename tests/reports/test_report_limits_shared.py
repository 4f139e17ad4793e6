"""With Redis storage (production), the report limit is one count for every app process."""
from __future__ import annotations

import uuid

import pytest

from registry import create_app

from .conftest import post_report

GARBAGE = "https://ocop.test/khong-phai-tem"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def test_two_processes_share_one_count_in_redis(app, tmp_path):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379 (the machines run one)")
    prefix = f"test-{uuid.uuid4().hex}"
    config = dict(app.config, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                  RATELIMIT_KEY_PREFIX=prefix, REPORT_RATE_LIMIT="2 per hour")
    first = create_app({k: config[k] for k in ("TESTING", "SECRET_KEY", "DATABASE_URL",
                                                "UPLOAD_FOLDER", "PUBLIC_BASE_URL",
                                                "RATELIMIT_STORAGE_URI",
                                                "RATELIMIT_KEY_PREFIX", "REPORT_RATE_LIMIT")})
    second = create_app({k: config[k] for k in ("TESTING", "SECRET_KEY", "DATABASE_URL",
                                                 "UPLOAD_FOLDER", "PUBLIC_BASE_URL",
                                                 "RATELIMIT_STORAGE_URI",
                                                 "RATELIMIT_KEY_PREFIX", "REPORT_RATE_LIMIT")})
    statuses = []
    for target in (first, second, second):
        with target.app_context():
            statuses.append(post_report(target.test_client(), GARBAGE,
                                        remote_addr="10.9.9.9").status_code)
    assert statuses == [303, 303, 429]
