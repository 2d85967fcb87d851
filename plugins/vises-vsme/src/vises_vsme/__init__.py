"""vises-vsme: the social metrics of EFRAG's VSME basic module (B8–B10) as a vises grid.

An SME reports counts and hours (employees by gender and contract, leavers, hours worked,
accidents, employees covered by collective agreements, training hours, mean hourly pay); the grid
computes the VSME metrics from them (turnover rate, accident rate per 200,000 hours worked,
collective bargaining coverage, training hours per employee, gender pay gap), so a federation
gets the same figures from every member, computed the same way, and can pool them over a network.
"""

__version__ = "0.1.0"
