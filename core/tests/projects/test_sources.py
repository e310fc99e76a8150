"""Project sources: local directories, and git repositories at a branch, tag or commit."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from packagers import config
from packagers.projects import sources
from packagers.projects.errors import ProjectSourceError
from packagers.projects.sources import fetch


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.email=t@example.com", "-c", "user.name=t"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


class Repo:
    """A repository made by the test: commit ``one`` (tag v1, annotated), ``two`` on main,
    ``three`` on branch ``feature``; the project lives in ``sub.dir/x``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        _git(path, "init", "-q", "-b", "main")
        project = path / "sub.dir" / "x"
        project.mkdir(parents=True)
        self.one = self._commit(project / "MLproject", "name: one\n")
        _git(path, "tag", "-a", "v1", "-m", "release one")
        self.two = self._commit(project / "MLproject", "name: two\n")
        _git(path, "checkout", "-q", "-b", "feature")
        self.three = self._commit(project / "MLproject", "name: three\n")
        _git(path, "checkout", "-q", "main")

    def _commit(self, file: Path, text: str) -> str:
        file.write_text(text)
        _git(self.path, "add", "-A")
        _git(self.path, "commit", "-q", "-m", text)
        return _git(self.path, "rev-parse", "HEAD")

    @property
    def url(self) -> str:
        return self.path.as_uri()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    config.projects.source_dir = str(tmp_path / "sources")
    return Repo(tmp_path / "repo")


def _name(source: sources.FetchedSource) -> str:
    return (source.path / "MLproject").read_text().split(":")[1].strip()


def test_a_local_directory_is_used_in_place(tmp_path: Path) -> None:
    source = fetch(str(tmp_path))
    assert source == sources.FetchedSource(tmp_path.resolve(), str(tmp_path), None, "")


def test_a_version_of_a_plain_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectSourceError, match="not a git repository"):
        fetch(str(tmp_path), "v1")


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectSourceError, match="not a directory nor a git URL"):
        fetch(str(tmp_path / "missing"))


@pytest.mark.parametrize(
    ("version", "expected"),
    [(None, "two"), ("main", "two"), ("feature", "three"), ("v1", "one")],
)
def test_branches_and_tags_resolve_to_their_commit(
    repo: Repo, version: str | None, expected: str
) -> None:
    source = fetch(repo.url + "#sub.dir/x", version)
    assert _name(source) == expected
    assert source.commit == {"one": repo.one, "two": repo.two, "three": repo.three}[expected]
    assert source.subdirectory == "sub.dir/x"
    assert source.uri == repo.url + "#sub.dir/x"


@pytest.mark.parametrize("length", [40, 7])
def test_a_commit_full_or_abbreviated(repo: Repo, length: int) -> None:
    source = fetch(repo.url + "#sub.dir/x", repo.three[:length])
    assert source.commit == repo.three
    assert _name(source) == "three"


def test_a_local_git_repository_with_a_version_is_cloned(repo: Repo) -> None:
    source = fetch(f"{repo.path}#sub.dir/x", "v1")
    assert source.commit == repo.one
    assert _name(source) == "one"
    assert not source.path.is_relative_to(repo.path)


def test_an_unknown_version_names_what_exists(repo: Repo) -> None:
    with pytest.raises(
        ProjectSourceError, match=r"no branch, tag or commit 'nope'.*feature, main, v1"
    ):
        fetch(repo.url, "nope")
    with pytest.raises(ProjectSourceError, match="no branch, tag or commit 'abcdef1'"):
        fetch(repo.url, "abcdef1")


def test_a_repository_that_does_not_exist_names_the_uri_and_what_git_said(tmp_path: Path) -> None:
    uri = (tmp_path / "nothing").as_uri()
    with pytest.raises(ProjectSourceError, match=f"{uri}.*git ls-remote failed: .*not appear"):
        fetch(uri)


@pytest.mark.parametrize("subdirectory", ["../x", "sub.dir/../../x", "/etc", ""])
def test_a_subdirectory_cannot_leave_the_repository(repo: Repo, subdirectory: str) -> None:
    with pytest.raises(ProjectSourceError, match="relative path inside the repository"):
        fetch(f"{repo.url}#{subdirectory}")


def test_a_missing_subdirectory_is_an_error(repo: Repo) -> None:
    with pytest.raises(ProjectSourceError, match="no directory 'sub.dir/y'"):
        fetch(repo.url + "#sub.dir/y")


def test_a_commit_is_cloned_once(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    first = fetch(repo.url, "feature")
    calls: list[tuple[str, ...]] = []
    real = sources._git

    def counting(uri: str, *args: str, cwd: Path | None = None) -> str:
        calls.append(args)
        return real(uri, *args, cwd=cwd)

    monkeypatch.setattr(sources, "_git", counting)
    again = fetch(repo.url + "#sub.dir/x", "feature")
    assert again.path == first.path / "sub.dir" / "x"
    assert [args[0] for args in calls] == ["ls-remote"]  # resolved, not cloned again
    assert fetch(repo.url, repo.three).commit == repo.three
    assert [args[0] for args in calls] == ["ls-remote"]  # a full commit is not even resolved


def test_concurrent_fetches_of_one_commit_all_succeed(repo: Repo) -> None:
    results: list[sources.FetchedSource | BaseException] = []

    def one() -> None:
        try:
            results.append(fetch(repo.url, repo.one[:8]))  # abbreviated: every one clones
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.commit for r in results if isinstance(r, sources.FetchedSource)} == {repo.one}
    assert len(results) == 4
    root = Path(config.projects.source_dir)
    assert sorted(p.name for p in root.iterdir()) == [repo.one]  # no working copies left


def test_unused_clones_are_pruned(repo: Repo) -> None:
    old = fetch(repo.url, "v1").path
    recent = fetch(repo.url, "main").path
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    assert sources.prune() == [repo.one]
    assert not old.exists()
    assert recent.exists()
