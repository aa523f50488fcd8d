"""pandera (polars backend) schemas: one per raw table, with the checks a statistician makes."""
