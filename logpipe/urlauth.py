"""Credentials in URLs (`https://user:pass@host`): split off for an auth header, never shown."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """(the URL without `user:pass@`, user, password); user and password None when absent."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all: nothing to split, and nothing shown from it
        return url, None, None
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=host))
    return clean, unquote(user), unquote(password) if colon else None


def without_userinfo(url: str) -> str:
    """The URL with any `user:pass@` replaced by `***@`, for messages (even when malformed)."""
    clean, user, _password = split_userinfo(url)
    if user is not None:
        return clean.replace("://", "://***@", 1)
    if "@" in clean:  # no scheme or an odd shape: hide all that may be userinfo
        scheme, sep, rest = clean.partition("://")
        return (
            f"{scheme}{sep}***@{rest.rpartition('@')[2]}"
            if sep
            else f"***@{clean.rpartition('@')[2]}"
        )
    return clean
