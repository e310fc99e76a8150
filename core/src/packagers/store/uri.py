"""Store URIs: ``store://[project/]key[:tag][@version]``, parsed once and printed one way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

from packagers.log_hint import KEY_RULE, is_valid_key
from packagers.store.errors import StoreError

__all__ = ["SCHEME", "StoreUri", "check_name", "is_store_uri", "parse_uri", "version_uri"]

SCHEME = "store://"
# A full version id or a prefix of one (see ``versions.new_version_id``).
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]*")


@dataclass(frozen=True)
class StoreUri:
    """A parsed store URI; ``project`` is always filled (the configured one when not given).

    ``version`` may be a unique prefix of a version id; with neither tag nor version the URI
    means the latest version.
    """

    project: str
    key: str
    tag: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        version = f"@{self.version}" if self.version else ""
        return f"{SCHEME}{self.project}/{self.key}{tag}{version}"


def is_store_uri(value: object) -> TypeGuard[str]:
    """Whether ``value`` is text naming something in a store (it may still fail to parse)."""
    return isinstance(value, str) and value.startswith(SCHEME)


def version_uri(project: str, key: str, version: str) -> str:
    """The URI that names exactly one version (what manifests and run records keep)."""
    return f"{SCHEME}{project}/{key}@{version}"


def check_name(what: str, name: object, where: str) -> str:
    """``name`` when it can be a project, key or tag (they become file names), else a StoreError."""
    if not isinstance(name, str) or not is_valid_key(name):
        rule = KEY_RULE.replace("a key is", f"a {what} is", 1)
        raise StoreError(f"{where}: invalid {what} {name!r}; {rule}")
    return name


def parse_uri(uri: str) -> StoreUri:
    """Parse ``store://[project/]key[:tag][@version]``; errors name the URI and the bad part."""
    from packagers._config import config

    if not is_store_uri(uri):
        raise StoreError(
            f"{uri!r} is not a store URI; expected store://[project/]key[:tag][@version]"
        )
    where = f"store URI {uri!r}"
    rest = uri[len(SCHEME) :]
    rest, at, version = rest.partition("@")
    if at and not _VERSION.fullmatch(version):
        raise StoreError(
            f"{where}: invalid version {version!r}; a version is a version id or a prefix of one "
            "(letters, digits and '-'), e.g. @20250102T030405"
        )
    path, colon, tag = rest.partition(":")
    if colon:
        check_name("tag", tag, where)
    project, slash, key = path.rpartition("/")
    if not key:
        raise StoreError(f"{where}: the key is missing")
    if slash:
        if "/" in project:
            raise StoreError(
                f"{where}: too many '/'; a store URI is store://[project/]key[:tag][@version]"
            )
        check_name("project", project, where)
    check_name("key", key, where)
    return StoreUri(
        project=project if slash else check_name("project", config.project, "config.project"),
        key=key,
        tag=tag or None,
        version=version or None,
    )
