"""Where a project's files come from: a local directory, or a git repository at one commit.

A git source is resolved to a full commit first, then checked out once per commit into the
source cache (``projects.source_dir``): cloned under a working name and renamed into place, so
an entry that exists is complete and two processes fetching the same commit both end up with
it. Clones unused for ``projects.cache_days`` days are pruned whenever a new one is made.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packagers.projects import _cache
from packagers.projects.errors import ProjectSourceError

__all__ = ["FetchedSource", "fetch", "is_git_uri", "prune"]

_GIT_SCHEMES = ("file://", "https://", "http://", "ssh://", "git://", "git+")
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@github.com:org/repo.git
_HEX = re.compile(r"^[0-9a-fA-F]{4,40}$")
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class FetchedSource:
    """A project's files on local disk, and what the run record keeps of their origin.

    ``path`` is the project directory (the subdirectory applied); ``commit`` the full commit a
    git source resolved to, None for a plain directory.
    """

    path: Path
    uri: str
    commit: str | None
    subdirectory: str


def is_git_uri(uri: str) -> bool:
    """Whether ``uri`` names a git repository rather than a local path."""
    return uri.startswith(_GIT_SCHEMES) or bool(_SCP_LIKE.match(uri))


def fetch(uri: str, version: str | None = None) -> FetchedSource:
    """The project directory ``uri`` names, cloned at ``version`` when it is a git repository.

    ``uri`` is a directory or a git URL (``file://``, ``https://``, ``ssh://``, ``git@host:``),
    either followed by ``#subdirectory``. ``version`` is a branch, a tag or a commit (full or
    abbreviated); a local directory that is a git work tree is cloned when a version is given.
    """
    location, subdirectory = _split(uri)
    if not is_git_uri(location):
        local = Path(location).expanduser()
        if not local.is_dir():
            raise ProjectSourceError(
                f"project {uri!r}: {str(local)!r} is not a directory nor a git URL "
                "(file://, https://, ssh://, git@host:path)"
            )
        if version is None:
            return FetchedSource(
                _within(local.resolve(), subdirectory, uri), uri, None, subdirectory
            )
        if not (local / ".git").exists():
            raise ProjectSourceError(
                f"project {uri!r}: version {version!r} given, but {str(local)!r} is not a git "
                "repository; versions only apply to git sources"
            )
        location = local.resolve().as_uri()
    commit = _resolve(uri, location, version)
    checkout = _checkout(uri, location, commit, version)
    return FetchedSource(_within(checkout, subdirectory, uri), uri, checkout.name, subdirectory)


def prune(days: int | None = None) -> list[str]:
    """Remove checkouts unused for ``days`` (default ``projects.cache_days``); their commits."""
    from packagers._config import config

    root = _cache.cache_root(config.projects.source_dir, "sources")
    return _cache.prune(root, config.projects.cache_days if days is None else days)


def _split(uri: str) -> tuple[str, str]:
    """``(location, subdirectory)``; the subdirectory must stay inside the project."""
    if "#" not in uri or (not is_git_uri(uri) and Path(uri).expanduser().is_dir()):
        return uri, ""
    location, _, subdirectory = uri.rpartition("#")
    parts = PurePosixPath(subdirectory.replace("\\", "/")).parts
    if not subdirectory or subdirectory.startswith(("/", "\\")) or ".." in parts:
        raise ProjectSourceError(
            f"project {uri!r}: subdirectory {subdirectory!r} must be a relative path inside "
            "the repository (no leading '/', no '..')"
        )
    return location, "/".join(part for part in parts if part != ".")


def _within(root: Path, subdirectory: str, uri: str) -> Path:
    path = root / subdirectory if subdirectory else root
    if not path.is_dir():
        raise ProjectSourceError(f"project {uri!r}: no directory {subdirectory!r} in {root}")
    return path


def _git(uri: str, *args: str, cwd: Path | None = None) -> str:
    """Run git without ever prompting (a missing credential fails instead of hanging)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise ProjectSourceError(f"project {uri!r}: git is not installed ({error})") from None
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}"
        raise ProjectSourceError(f"project {uri!r}: git {args[0]} failed: {said}")
    return done.stdout


def _resolve(uri: str, location: str, version: str | None) -> str | None:
    """The full commit ``version`` names on the remote, or None when only a clone can tell.

    Branches and tags (annotated ones peeled to their commit) are read from ``ls-remote``,
    following git's own order (a tag wins over a branch of the same name). A full commit is
    taken as it is; an abbreviated one needs the clone.
    """
    if version is not None and _FULL_SHA.match(version.lower()):
        return version.lower()
    refs: dict[str, str] = {}
    for line in _git(uri, "ls-remote", location).splitlines():
        sha, _, ref = line.partition("\t")
        if ref.endswith("^{}"):
            refs[ref[:-3]] = sha  # the peeled commit of an annotated tag wins
        else:
            refs.setdefault(ref, sha)
    wanted = (
        ["HEAD"] if version is None else [version, f"refs/tags/{version}", f"refs/heads/{version}"]
    )
    for ref in wanted:
        if ref in refs:
            return refs[ref]
    if version is not None and _HEX.match(version):
        return None
    known = sorted(
        r.rpartition("/")[2] for r in refs if r.startswith(("refs/heads/", "refs/tags/"))
    )
    what = "HEAD" if version is None else f"no branch, tag or commit {version!r}"
    raise ProjectSourceError(
        f"project {uri!r}: {what} in the repository; found: {', '.join(known)}"
    )


def _checkout(uri: str, location: str, commit: str | None, version: str | None) -> Path:
    """The cached checkout of ``commit`` (cloning it first if needed)."""
    from packagers._config import config

    root = _cache.cache_root(config.projects.source_dir, "sources")
    if commit is not None and (root / commit).is_dir():
        _cache.touch(root / commit)
        return root / commit
    work = root / f"{_cache.TEMPORARY}{os.urandom(6).hex()}"
    try:
        _git(uri, "clone", "--quiet", "--no-checkout", location, str(work))
        target = commit or version or "HEAD"
        commit = _git(uri, "rev-parse", "--verify", "--quiet", f"{target}^{{commit}}", cwd=work)
        commit = commit.strip()
        final = root / commit
        if not final.is_dir():
            _git(uri, "checkout", "--quiet", "--detach", commit, cwd=work)
            if (work / ".gitmodules").exists():
                _git(uri, "submodule", "update", "--quiet", "--init", "--recursive", cwd=work)
            try:
                work.rename(final)
            except OSError:
                if not final.is_dir():  # not a lost race with another fetch of the same commit
                    raise
            _cache.prune(root, config.projects.cache_days)
    except ProjectSourceError as error:
        if version is not None and "rev-parse" in str(error):
            raise ProjectSourceError(
                f"project {uri!r}: no branch, tag or commit {version!r} in the repository"
            ) from None
        raise
    finally:
        _cache.remove_tree(work)
    _cache.touch(final)
    return final
