"""Comparison designs (not the seed method): PLAN, tables, interpolated table, full ROM."""
