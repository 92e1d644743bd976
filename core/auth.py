"""Roles and their permissions, checked on the server for every page and action.

Three roles, each including the one before: viewer (the dashboards), analyst (+ the SQL page and
downloads of case lists), admin (+ uploads and editing targets).

Modes (setting auth_mode):
- demo: no login, everybody is admin; `make run` listens on 127.0.0.1 only.
- password: accounts with bcrypt hashes in .streamlit/secrets.toml, section [auth.users.<login>]
  with keys password_hash and role (docs/security.md shows how to make a hash).
- oidc: st.login with the centre's OIDC provider ([auth] section of secrets.toml, as Streamlit
  documents); roles from [auth.roles] mapping e-mail -> role, default viewer.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import settings

ROLES = ("viewer", "analyst", "admin")
PERMISSIONS = {
    "view": "viewer",
    "download_case_lists": "analyst",
    "run_sql": "analyst",
    "upload": "admin",
    "edit_targets": "admin",
}
ROLE_LABELS = {"viewer": "Xem", "analyst": "Phân tích", "admin": "Quản trị"}


class PermissionDenied(Exception):
    pass


@dataclass(frozen=True)
class User:
    login: str
    role: str

    def can(self, action: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(PERMISSIONS[action])


DEMO_USER = User("demo", "admin")


def require(user: User | None, action: str) -> User:
    """Raise PermissionDenied unless the user may do `action`; every action calls this itself,
    so hiding a link is never the only guard."""
    if user is None or user.role not in ROLES or not user.can(action):
        raise PermissionDenied(f"Tài khoản này không có quyền thực hiện thao tác này ({action}).")
    return user


def check_password(users: dict, login: str, password: str) -> User | None:
    """Verify a login against the bcrypt hashes of the password accounts."""
    import bcrypt

    account = users.get(login) if login else None
    if not account or not password:
        return None
    stored = str(account.get("password_hash", "")).encode()
    try:
        ok = bcrypt.checkpw(password.encode(), stored)
    except ValueError:
        return None
    role = account.get("role", "viewer")
    return User(login, role if role in ROLES else "viewer") if ok else None


def hash_password(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def mode() -> str:
    value = settings.get("auth_mode")
    if value not in ("demo", "password", "oidc"):
        raise ValueError(f"auth_mode must be demo, password or oidc, not {value!r}")
    return value


if __name__ == "__main__":  # python -m core.auth PASSWORD -> a bcrypt hash for secrets.toml
    import sys

    print(hash_password(sys.argv[1]))
