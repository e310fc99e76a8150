"""DataItem: a local path used in place, a remote URL fetched once, and its views for a hint."""

from __future__ import annotations

import os

import fsspec
import pytest

from packagers import DataItem


@pytest.fixture
def remote():
    """A ``memory://`` file, removed afterwards."""
    fs = fsspec.filesystem("memory")
    fs.pipe("/data-item-tests/table.csv.gz", b"content")
    yield "memory://data-item-tests/table.csv.gz"
    fs.rm("/data-item-tests", recursive=True)


def test_a_local_path_is_used_in_place_and_never_deleted(tmp_path):
    path = tmp_path / "n.txt"
    path.write_text("1")
    item = DataItem(path)
    assert item.local() == str(path) and not item.is_remote
    item.clear()
    assert path.exists()


def test_a_remote_item_is_fetched_once_with_its_full_suffix_and_cleared(remote):
    item = DataItem(remote)
    local = item.local()
    assert local.endswith("table.csv.gz") and item.local() == local
    item.clear()
    assert not os.path.exists(local)


def test_hint_metadata_is_given_when_the_item_is_made_and_cannot_be_overwritten(tmp_path):
    item = DataItem(tmp_path / "n.txt", hint_metadata=["a"])
    assert item.hint_metadata == ("a",)
    with pytest.raises(AttributeError, match=r"hint_metadata=extras.*item\.for_hint\(extras\)"):
        item.hint_metadata = ("b",)


def test_a_view_for_a_hint_leaves_the_item_as_it_was(tmp_path):
    item = DataItem(tmp_path / "n.txt", key="n", manifest={"key": "n"})
    view = item.for_hint(("cols",))
    assert view.hint_metadata == ("cols",) and item.hint_metadata == ()
    assert (view.url, view.key, view.manifest) == (item.url, item.key, item.manifest)
    assert item.for_hint(()) is item  # nothing to change: the item itself


def test_a_view_shares_the_download_and_either_clears_it(remote):
    item = DataItem(remote)
    view = item.for_hint(("cols",))
    local = view.local()
    assert item.local() == local  # fetched once, for both
    item.clear()
    assert not os.path.exists(local)
    again = view.local()  # the view fetches anew, and its copy is cleared by the item too
    assert os.path.exists(again)
    item.clear()
    assert not os.path.exists(again)
    assert item.exists()  # the remote file itself is never touched


def test_a_view_keeps_the_items_class(tmp_path):
    class Special(DataItem):
        pass

    view = Special(tmp_path / "n.txt").for_hint(("x",))
    assert type(view) is Special


def test_a_download_nobody_clears_goes_with_the_last_item_sharing_it(remote):
    import gc

    item = DataItem(remote)
    view = item.for_hint(["extra"])
    folder = os.path.dirname(view.local())
    del item
    gc.collect()
    assert os.path.isdir(folder)  # the view still shares the download
    del view
    gc.collect()
    assert not os.path.exists(folder)


def test_a_download_that_fails_leaves_no_temporary_copy(remote, tmp_path, monkeypatch):
    import tempfile

    class Cut(DataItem):
        def _download(self, fs, path, target):
            with open(target, "wb") as copy:
                copy.write(b"cont")
            raise ConnectionResetError("the connection was reset")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    item = Cut(remote)
    with pytest.raises(ConnectionResetError):
        item.local()
    assert os.listdir(tmp_path) == [] and item._copy.temp_dir is None
