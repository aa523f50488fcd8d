"""HTML of the site: jinja2 templates (``templates/``, autoescaped) and the static assets.

The Vega, Vega-Lite and Vega-Embed JavaScript comes from vl-convert's bundle and is written once
to ``assets/vega-bundle.js``; pages reference it relatively and carry their chart specs as JSON,
so the site works offline from ``file://`` and each page stays small.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import vl_convert
from markupsafe import Markup, escape

from pipelines import fsutil, paths

TEMPLATES = Path(__file__).parent / "templates"

#: site.css and site.js, copied as they are
STATIC = Path(__file__).parent / "static"


@functools.cache
def vega_bundle() -> str:
    """Vega + Vega-Lite (the version altair writes) + Vega-Embed, as one classic script.

    Bundling takes vl-convert over a second, for the same bytes at every build: the bundle is
    made once per installation (``make install``) and kept in ``paths.install_cache_dir()``,
    named after the versions it depends on (vl-convert's and Vega-Lite's), written whole
    (temporary file, fsync, rename); where that folder cannot be written, in the warehouse's
    cache. A cache that cannot be read or written is only a slower build; a cut file is made
    again."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    version = getattr(vl_convert, "__version__", "unknown")
    name = f"vega-bundle-{version}-vl{major_minor}.js"
    shared, own = paths.install_cache_dir() / name, paths.cache_dir() / name
    text = _read_bundle(shared)
    if text:
        return text
    kept = _read_bundle(own)
    text = kept or vl_convert.javascript_bundle(vl_version=major_minor)
    if not fsutil.write_cache(shared, text.encode("utf-8")) and not kept:
        fsutil.write_cache(own, text.encode("utf-8"))
    return text


def _read_bundle(path: Path) -> str:
    """The bundle kept at ``path``, or "" (missing, unreadable or cut)."""
    data = fsutil.read_cache(path)
    try:
        text = data.decode("utf-8") if data is not None else ""
    except UnicodeDecodeError:
        return ""
    return text if _complete_bundle(text) else ""


def _complete_bundle(text: str) -> bool:
    """The whole bundle: vl-convert's ends by assigning ``window.vegaEmbed`` (a cut file does
    not)."""
    return "window.vegaEmbed=" in text[-2000:]


def write_assets(out_dir: Path) -> list[Path]:
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    files = {"vega-bundle.js": vega_bundle()}
    for f in sorted(STATIC.iterdir()):
        files[f.name] = f.read_text(encoding="utf-8")
    written = []
    for name, text in sorted(files.items()):
        path = assets / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def cell(value: Any) -> str:
    """A table cell: thousands separators; two decimals unless the number is whole."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        # counts stored as doubles (e.g. scorecard figures) read as counts
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def table_html(table: Any, caption: str) -> Markup:
    """A data table (plain Python: ~100 pages of tables are too slow through a jinja macro)."""
    out = [
        '<div class="table-wrap">\n<table>\n<caption>',
        escape(caption),
        "</caption>\n<thead><tr>",
    ]
    out += [f'<th scope="col">{escape(c)}</th>' for c in table.columns]
    out.append("</tr></thead>\n<tbody>\n")
    for row in table.rows:
        out.append("<tr>")
        for v in row:
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            out.append(
                f'<td class="num">{escape(cell(v))}</td>' if num else f"<td>{escape(cell(v))}</td>"
            )
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n</div>")
    return Markup("".join(out))


def spec_json(spec: dict) -> str:
    """JSON safe inside <script type="application/json"> (no '<' at all), keys sorted."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = cell
    env.filters["specjson"] = lambda spec: Markup(spec_json(spec))
    env.globals["table"] = table_html
    return env


def page(env: jinja2.Environment, template: str, path: Path, **context: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(env.get_template(template).render(**context), encoding="utf-8")
    return path
