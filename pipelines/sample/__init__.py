"""The bundled synthetic sample under `raw/` (see `python -m pipelines.sample.generate`)."""
