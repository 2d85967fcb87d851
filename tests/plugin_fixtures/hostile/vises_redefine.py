"""A plugin that tries to change units vises, pint and another plugin already define, and adds one."""

from vises import hookimpl


@hookimpl
def vises_register_units():
    return [
        "hour = 30 * minute",  # pint's hour
        "EUR = 2 * USD",  # vises' currency
        "meal = 2 * [meal]",  # the fake plugin's meal
        "km = 500 * meter",  # a prefixed form pint already reads
        "plat = [plat] = plats",  # new: fine
    ]
