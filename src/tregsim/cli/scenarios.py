"""``tregsim scenarios``: list the built-in scenarios or print one as YAML."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tregsim.cli._app import _console, app

scenarios_app = typer.Typer(
    help=(
        "List the built-in scenarios, or print one as YAML.\n\n"
        "Examples: tregsim scenarios | tregsim scenarios show phrc-2016"
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback()
def scenarios(ctx: typer.Context) -> None:
    """List the built-in scenarios (name and description).

    Example: tregsim scenarios
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from tregsim.scenarios import list_scenarios, scenario_description

    table = Table("name", "description", title="Built-in scenarios")
    for name in list_scenarios():
        table.add_row(name, scenario_description(name))
    _console().print(table)


@scenarios_app.command("show")
def scenarios_show(
    name: Annotated[str, typer.Argument(help="Built-in scenario name.")],
) -> None:
    """Print a built-in scenario as YAML (a starting point for your own).

    Example: tregsim scenarios show phrc-2016 > my-trial.yaml
    """
    from tregsim.scenarios import scenario_yaml

    sys.stdout.write(scenario_yaml(name))
