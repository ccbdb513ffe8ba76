"""The `starqr` command: everything an operator does from a shell.

Scripts at counties call these commands, so their names and options stay stable.
"""

import click

from starqr.cli import core, imports, onboarding, operations, pages, plaques
from starqr.cli.context import pass_app
from starqr.cli.errors import StarQRGroup


# StarQRGroup: every error of every command is one line on stderr (exit 2 usage, 1 failed).
@click.group(cls=StarQRGroup, help="StarQR: QR plaques that resolve to live star-rating profiles.")
@click.version_option(package_name="starqr")
def main():
    pass


def _register():
    """Each area's commands, in this order: an area adds its module here, once."""
    for area in (core, plaques, imports, operations, pages, onboarding):
        for command in area.COMMANDS:
            main.add_command(command)


_register()
