"""The app's command line (`flask ...`), each command imported when it is first asked for.

A web worker never runs a command, yet importing them all when the app is built loaded the
modules behind them too (the ledger's and reconciliation's checks, the Iris payouts, the demo
seeding, the task runner: about 20 modules, 0.4 MB a process). `flask --help` still lists
every command; running one imports its module only then.
"""

from importlib import import_module

import click
from flask.cli import AppGroup

# Command name -> "module:attribute" of the click command.
CLI_COMMANDS = {
    "create-operator": "shop.accounts.cli:create_operator_command",
    "orders": "shop.checkout.cli:orders_cli",
    "coop": "shop.coops.cli:coop_cli",
    "seed-demo": "shop.demo.cli:seed_demo_command",
    "jobs": "shop.jobs.cli:jobs_cli",
    "ledger": "shop.ledger.cli:ledger_cli",
    "iris": "shop.payouts.cli:iris_cli",
    "reconciliation": "shop.reconciliation.cli:reconciliation_cli",
    "reviews": "shop.reviews.cli:reviews_cli",
    "search": "shop.search.cli:search_cli",
}


def load_command(name: str) -> click.Command:
    module, attribute = CLI_COMMANDS[name].split(":")
    return getattr(import_module(module), attribute)


class CommandsOnFirstUse(AppGroup):
    """Flask's group of the app's commands, ours added when first looked up by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | CLI_COMMANDS.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CLI_COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)
