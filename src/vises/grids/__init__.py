"""Grids shipped with the core (``vises.social_economy``); registered in ``vises.grids.hooks``."""
