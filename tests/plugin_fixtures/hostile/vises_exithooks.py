"""A plugin whose hooks try to end the program; its report format is fine."""

import sys

from vises import ReportFormat, hookimpl


@hookimpl
def vises_register_grids():
    sys.exit(0)


@hookimpl
def vises_register_commands(cli):
    raise SystemExit(3)


@hookimpl
def vises_register_report_formats():
    return [ReportFormat(name="calm", suffix=".txt", render=lambda results, request: "calm\n")]
