"""The scoring engine: compile a grid once, prepare columns, run the stages, aggregate, ``Results``."""
