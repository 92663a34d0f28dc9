"""The `dateline` command's promises to scripts, checked on its definition."""

from dateline.cli import index

# watch runs until stopped and writes a line per change as it happens, not one answer at the end.
STREAMING = {"watch"}


def test_every_index_command_offers_json_for_scripts():
    lacking = [name for name, command in index.commands.items()
               if "--json" not in {opt for param in command.params for opt in param.opts}]
    assert sorted(lacking) == sorted(STREAMING)
