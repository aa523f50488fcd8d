"""Floorboard's pipeline package.

Polars' engine: the frames here are small (a submission's sheet, a national table), and pandera
collects one query per check. polars 2.x plans each ``collect`` for its streaming engine by
default, about 250 µs per query on 2 cores against 30 µs with the in-memory engine: validation of
a submission took 165 ms instead of 103 ms (issue 13). Both engines give the same frames. A
``POLARS_ENGINE_AFFINITY`` set by the user is kept. Set here, before any module of the package
imports polars, so that the landing worker processes (which inherit the variable) use it too.

pandera without pandas: ``import pandera`` imports pandas (and pandera's pandas API) whenever
pandas is installed, as it is here for sdmx1 and country_converter, though only pandera's polars
API is used: 0.5 s of every process that validates (each run, each landing worker, each code
server and run worker). While pandera's own ``__init__`` runs, ``import pandas`` is answered as
in an installation without pandas, which pandera supports (it then sets up its polars API
alone); every other import of pandas, before or after, is untouched (issue 13). pandera's pandas
API (``pandera.pandas``) is then unavailable in the process: import pandera before this package
for it (the project does not use it). pandera also imports pandas at its first check of any
frame, to ask whether the frame's class is a pandas one (``pandera.backends.register_checks``):
about 0.3 s of CPU in each landing worker (issue 13). Without pandas in the process no frame
can be a pandas one, so that question is answered "no" without importing pandas until some other
module has imported it; from then on pandera asks pandas as before.
"""

import os
import sys


class _PanderaWithoutPandas:
    """A meta path finder that finds no ``pandas`` for pandera's own modules while ``pandera``
    is being initialized (an import of pandas from anywhere else, in any thread, goes on)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "pandas":
            return None
        # importlib marks a module's spec while its body runs; without the mark (another
        # Python) this finds nothing and pandera imports pandas as before: slower, the same
        spec = getattr(sys.modules.get("pandera"), "__spec__", None)
        if not getattr(spec, "_initializing", False):
            return None
        frame = sys._getframe(1)  # the `import pandas` statement, past importlib's frames
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "") if frame is not None else ""
        if importer == "pandera" or importer.startswith("pandera."):
            raise ModuleNotFoundError("No module named 'pandas'", name="pandas")
        return None


class _PandasLikeOnlyWithPandas:
    """A meta path finder that loads ``pandera.backends.register_checks`` as ever, then makes
    its ``_load_get_backend_types_from_mro`` (pandera's pandas-like type lookup, which imports
    pandas) answer ``None`` while pandas is not imported: what pandera itself answers without
    pandas, and what the lookup would find for the class of any frame such a process can hold.
    Anything unexpected (no such module or function, a loader of another kind) leaves pandera
    as it is."""

    NAME = "pandera.backends.register_checks"

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != cls.NAME:
            return None
        try:
            from importlib.machinery import PathFinder

            spec = PathFinder.find_spec(name, path, target)
            if spec is None or not hasattr(spec.loader, "exec_module"):
                return None  # the other finders look for it, as without this one
            spec.loader = _WrapLookup(spec.loader)
            return spec
        except Exception:
            return None


class _WrapLookup:
    """The loader of ``pandera.backends.register_checks`` (``loader``, left unchanged: it may
    serve other modules), wrapping the lookup once the module has run."""

    def __init__(self, loader) -> None:
        self._loader = loader

    def __getattr__(self, name: str):  # get_filename, get_source, get_resource_reader…
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        lookup = getattr(module, "_load_get_backend_types_from_mro", None)
        if lookup is None:  # another pandera: nothing to wrap
            return

        def lookup_unless_pandas_absent():
            return lookup() if "pandas" in sys.modules else None

        module._load_get_backend_types_from_mro = lookup_unless_pandas_absent


if "pandera" not in sys.modules and _PanderaWithoutPandas not in sys.meta_path:
    sys.meta_path.insert(0, _PanderaWithoutPandas)
if _PandasLikeOnlyWithPandas.NAME not in sys.modules and (
    _PandasLikeOnlyWithPandas not in sys.meta_path
):
    sys.meta_path.insert(0, _PandasLikeOnlyWithPandas)

if "POLARS_ENGINE_AFFINITY" not in os.environ:
    os.environ["POLARS_ENGINE_AFFINITY"] = "in-memory"
    if "polars" in sys.modules:  # imported before this package: tell the running polars too
        sys.modules["polars"].Config.set_engine_affinity("in-memory")
