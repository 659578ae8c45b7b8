"""Staff login from REPORTQA_STAFF_USER / REPORTQA_STAFF_PASSWORD; off (with a warning) when unset."""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Mapping

log = logging.getLogger(__name__)


def staff_credentials(environ: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """(user, password) when both are set, else None with a logged warning."""
    user, password = environ.get("REPORTQA_STAFF_USER", ""), environ.get("REPORTQA_STAFF_PASSWORD", "")
    if not user or not password:
        log.warning(
            "staff features (knowledge, feedback review) are off: "
            "set REPORTQA_STAFF_USER and REPORTQA_STAFF_PASSWORD to enable them"
        )
        return None
    return user, password


def check_login(user: str, password: str, credentials: tuple[str, str] | None) -> bool:
    """Constant-time comparison of both fields; always False when staff login is off."""
    if not credentials:
        return False
    user_ok = hmac.compare_digest((user or "").encode(), credentials[0].encode())
    password_ok = hmac.compare_digest((password or "").encode(), credentials[1].encode())
    return user_ok and password_ok
