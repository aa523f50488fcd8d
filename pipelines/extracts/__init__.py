"""SDG reporting extracts and downloads written from the published warehouse (issue 5).

Every module reads ``marts`` read-only and never recomputes a value: see docs/extracts.md.
``write.write_extracts`` is the one entry point.
"""
