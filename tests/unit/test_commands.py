"""The `dateline` command's promises to scripts, checked on its definition."""

from dateline.cli import index


def test_every_index_command_offers_json_for_scripts():
    lacking = [name for name, command in index.commands.items()
               if "--json" not in {opt for param in command.params for opt in param.opts}]
    assert lacking == []
