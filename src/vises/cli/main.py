"""The ``vises`` command: list plugins and grids, show a grid, validate and score data.

Only click and vises' light modules are imported here; the plugin registry, pint, pandas and the
report libraries load when a command needs them, so ``vises --help`` stays fast. Plugin commands
are found lazily: a core command never loads plugins to be looked up, an unknown name or the help
listing does. A ``VisesError`` prints ``Error: <message>`` and exits with its ``exit_code``; any
other exception is a bug and exits with ``ExitCode.INTERNAL``; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from vises.errors import ExitCode, VisesError

LANGS = ("fr", "nl", "en")
_DEBUG_KEY = "vises.debug"


#: The core's commands: name -> "module:function", imported when the command is used or listed.
CORE_COMMANDS: dict[str, str] = {
    "grids": "vises.cli.catalogue:grids",
    "indicators": "vises.cli.catalogue:indicators",
    "collect": "vises.cli.records:collect",
    "compare": "vises.cli.analysis:compare",
    "methods": "vises.cli.catalogue:methods",
    "new-plugin": "vises.cli.scaffold:new_plugin",
    "plot": "vises.cli.analysis:plot",
    "plugins": "vises.cli.catalogue:plugins",
    "round": "vises.cli.round:round_command",
    "schema": "vises.cli.catalogue:schema",
    "score": "vises.cli.data:score",
    "sensitivity": "vises.cli.analysis:sensitivity",
    "show": "vises.cli.catalogue:show",
    "sroi": "vises.cli.sroi:sroi",
    "stats": "vises.cli.analysis:stats",
    "strengths": "vises.cli.analysis:strengths",
    "template": "vises.cli.templates:template",
    "trends": "vises.cli.analysis:trends",
    "validate": "vises.cli.data:validate",
    "weights": "vises.cli.analysis:weights",
}


class VisesGroup(click.Group):
    """The ``vises`` group: core commands imported on use, plugin commands only when asked for.

    ``vises --help`` lists the core's commands without loading any plugin; a name it does not know
    loads the plugins' ``vises_register_commands`` and looks again, and ``vises plugins`` names
    the commands each plugin adds.
    """

    _plugins_loaded = False

    def _core(self, name: str) -> None:
        where = CORE_COMMANDS.get(name)
        if where is not None and name not in self.commands:
            from importlib import import_module

            module, attribute = where.split(":")
            self.add_command(getattr(import_module(module), attribute), name)

    def load_plugin_commands(self) -> None:
        """Let the plugins add their commands (never replacing one of the core's)."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for name in CORE_COMMANDS:
            self._core(name)
        from vises.plugins.current import get_registry

        get_registry().register_commands(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*CORE_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._core(cmd_name)
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._plugins_loaded:
            try:
                self.load_plugin_commands()
            except VisesError as exc:  # strict mode: the core's commands still work
                click.echo(f"Error: plugin commands unavailable: {exc}", err=True)
            command = super().get_command(ctx, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except VisesError as exc:
            if ctx.meta.get(_DEBUG_KEY):
                raise
            from vises.cli.hints import for_the_command_line

            click.echo(f"Error: {for_the_command_line(exc, _running(ctx))}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            if ctx.meta.get(_DEBUG_KEY):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {exc}). This is a bug in vises or one of its "
                "plugins; please report it with the output of the same command run with 'vises --debug ...'.",
                err=True,
            )
            ctx.exit(ExitCode.INTERNAL)


def _running(ctx: click.Context) -> click.Command | None:
    """The subcommand being run (its options are what a hint may name), if it got that far."""
    name = ctx.invoked_subcommand
    if not name:
        return None
    command = ctx.command.get_command(ctx, name) if isinstance(ctx.command, click.Group) else None
    return command


@contextmanager
def _cli_warnings() -> Iterator[None]:
    """Plugin warnings as one readable line on stderr, without the Python source location."""
    from vises.errors import VisesWarning

    with warnings.catch_warnings():
        original = warnings.showwarning

        def show(
            message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
        ) -> None:
            if issubclass(category, VisesWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``, reading the version only when asked (importlib.metadata costs ~30 ms to import)."""
    if not value or ctx.resilient_parsing:
        return
    from vises._version import __version__

    click.echo(f"vises, version {__version__}")
    ctx.exit()


@click.group(cls=VisesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Measure the social impact of social-economy enterprises.

    Exit codes: 0 ok, 1 data failed validation, 2 usage or input error, 3 internal error.
    Plugins may add commands: 'vises plugins' lists them.
    """
    ctx.meta[_DEBUG_KEY] = debug


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point (``vises = vises.cli:main``)."""
    with _cli_warnings():
        cli.main(args=list(argv) if argv is not None else None, prog_name="vises")


__all__ = ["VisesGroup", "cli", "main"]
