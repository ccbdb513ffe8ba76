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

    for command in core.COMMANDS:
        main.add_command(command)
    # Each area adds its commands here, one import each.

    for command in plaques.COMMANDS:
        main.add_command(command)

    for command in imports.COMMANDS:
        main.add_command(command)

    for command in operations.COMMANDS:
        main.add_command(command)

    for command in pages.COMMANDS:
        main.add_command(command)

    for command in onboarding.COMMANDS:
        main.add_command(command)


_register()
