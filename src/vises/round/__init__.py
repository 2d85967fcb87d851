"""The federation's yearly round: gather the submissions, check them together, score, hand out safely.

``vises.run_round`` and ``vises round`` (docs/round.md); ``run`` holds the orchestration,
``submissions`` which files make a round, ``gather`` reading and checking them, ``folder`` the
round folder written aside and moved into place.
"""
