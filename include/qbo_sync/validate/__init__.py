"""Validate: decide, per record, whether it can go to QuickBooks, and say why not.

Checks run as a Great Expectations suite over a DataFrame of per-record facts;
each expectation carries the catalog code that explains its failures.
"""
