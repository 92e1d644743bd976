"""Who is using the dashboard, and whether they may do an action (core.auth roles).

auth_mode demo: everybody is core.auth.DEMO_USER (admin). password: a login form checks the
bcrypt accounts of .streamlit/secrets.toml ([auth.users.<login>] password_hash, role). oidc:
Streamlit's st.login; the role comes from [auth.roles] (e-mail -> role), default viewer.
Every guarded action calls allowed() itself, on the server, whatever the page shows.
"""
from __future__ import annotations

import logging

import streamlit as st

from core import auth

log = logging.getLogger("tthc.ui")


def _secrets_section(*keys: str) -> dict:
    try:
        node = st.secrets
        for k in keys:
            node = node[k]
        return {k: (dict(v) if hasattr(v, "keys") else v) for k, v in node.items()}
    except Exception:
        return {}


def current_user() -> auth.User | None:
    mode = auth.mode()
    if mode == "demo":
        return auth.DEMO_USER
    if mode == "password":
        return st.session_state.get("_auth_user")
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:
        return None
    email = str(st.user.get("email", "") or "")
    roles = _secrets_section("auth", "roles")
    role = roles.get(email, "viewer")
    return auth.User(email or "oidc", role if role in auth.ROLES else "viewer")


def login_gate() -> auth.User | None:
    """Draw the login form when nobody is logged in (password / oidc modes); the user or None."""
    user = current_user()
    if user is not None:
        if auth.mode() != "demo":
            st.sidebar.caption(f"Đăng nhập: **{user.login}** ({auth.ROLE_LABELS.get(user.role, user.role)})")
            if st.sidebar.button("Đăng xuất", key="auth_logout"):
                if auth.mode() == "password":
                    st.session_state.pop("_auth_user", None)
                    st.rerun()
                else:
                    st.logout()
        return user
    st.title("Đăng nhập")
    if auth.mode() == "password":
        with st.form("login"):
            login = st.text_input("Tên đăng nhập")
            password = st.text_input("Mật khẩu", type="password")
            if st.form_submit_button("Đăng nhập"):
                found = auth.check_password(_secrets_section("auth", "users"), login, password)
                if found:
                    st.session_state["_auth_user"] = found
                    st.rerun()
                st.error("Tên đăng nhập hoặc mật khẩu không đúng.")
    else:
        st.button("Đăng nhập bằng tài khoản của đơn vị", on_click=st.login)
    return None


def allowed(action: str, quiet: bool = False) -> bool:
    """True when the current user may do `action`; otherwise a Vietnamese notice (unless quiet)."""
    try:
        auth.require(current_user(), action)
        return True
    except auth.PermissionDenied as exc:
        if not quiet:
            st.warning(str(exc))
        return False
