"""Parsers of the real files organizers have (see docs/outreach.md for the formats).

Each module parses one format into rows and reports the file, line and field of the first
problem; `hemonc.outreach.services` writes the rows in one transaction.
"""
