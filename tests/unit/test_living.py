"""Pure parts of the living archive: story lookup across batches, what a watch round sees, the mass-delete
guard, the checkpoint file."""

from __future__ import annotations

from dateline.indexer.enrich.stories import StoryClusterer, sketch
from dateline.indexer.watch import compare, load_state, save_state, too_many_removed

TEXT = ("The Federal Reserve entered the government securities market to supply temporary reserves via system "
        "repurchase agreements, a spokesman for the New York Fed said.")


def test_a_remembered_story_is_joined_as_if_met_in_the_same_run():
    first = StoryClusterer()
    assert first.assign("a", TEXT, "1987-03-02") == "a"
    later = StoryClusterer()  # another process: knows story "a" only from what the index stores
    later.remember("a", sketch(TEXT, "1987-03-02"))
    assert later.assign("b", TEXT, "1987-03-03") == "a"
    assert later.assign("c", TEXT, "1987-04-20") == "c"  # outside the days window
    later.remember("a", sketch("Something else entirely, said nobody at all today.", "1987-03-02"))  # ignored
    assert later.assign("d", TEXT, "1987-03-04") == "a"


def test_a_round_sees_new_changed_and_removed_files():
    seen = {"a.txt": {"size": 10, "mtime_ns": 1, "ids": ["a.txt"]},
            "b.txt": {"size": 10, "mtime_ns": 1, "ids": ["b.txt"]},
            "c.txt": {"size": 10, "mtime_ns": 1, "ids": ["c.txt"]}}
    changes = compare(seen, {"a.txt": (10, 1), "b.txt": (10, 2), "d.txt": (5, 1)})
    assert (changes.added, changes.changed, changes.removed) == (["d.txt"], ["b.txt"], ["c.txt"])


def test_many_files_vanishing_at_once_is_a_mass_delete():
    assert not too_many_removed(10, 20)  # a few files, even half of a small folder
    assert too_many_removed(11, 20)
    assert not too_many_removed(90, 1000) and too_many_removed(101, 1000)


def test_the_checkpoint_is_replaced_whole(tmp_path):
    state = tmp_path / ".state.json"
    assert load_state(state) == {}
    files = {"a.txt": {"size": 1, "mtime_ns": 2, "ids": ["a.txt"]}}
    save_state(state, files)
    assert load_state(state) == files and [p.name for p in tmp_path.iterdir()] == [".state.json"]
