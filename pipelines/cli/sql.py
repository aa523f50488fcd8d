"""``floorboard sql``: a read-only SQL shell on the published warehouse, with the bundled DuckDB.

The file is opened with ``read_only=True``: DuckDB refuses every statement that would write to
it (and opens any database attached from the shell read-only too), and a build is never
blocked (it renames a finished file over the published one; this connection keeps reading the
file it opened).
"""

from __future__ import annotations

import contextlib
import csv
import sys
from pathlib import Path
from typing import TextIO

import duckdb

PROMPT = "floorboard> "
MORE = "       ...> "
HELP = """\
Statements end with ;  Results are shown as tables (--csv for CSV).
.tables          the tables and views of the warehouse
.help            this text
.quit / .exit    leave (or end of input, Ctrl-D)
Examples: select count(*) from marts.sdg_indicators;   describe marts.dim_country;"""
TABLES_SQL = (
    "select table_schema as schema, table_name as name, table_type as type "
    "from information_schema.tables order by all"
)
#: statements whose result is only a status (nothing to show)
SILENT = {"SET", "VARIABLE_SET", "TRANSACTION", "PREPARE", "DEALLOCATE", "LOAD", "ATTACH", "DETACH"}


class Shell:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        out: TextIO,
        err: TextIO,
        csv_output: bool = False,
        max_rows: int = 100,
    ):
        self.con, self.out, self.err = con, out, err
        self.csv_output, self.max_rows = csv_output, max_rows
        self.errors = 0

    def _show(self, rel: duckdb.DuckDBPyRelation) -> None:
        if self.csv_output:
            writer = csv.writer(self.out, lineterminator="\n")
            writer.writerow(rel.columns)
            writer.writerows(rel.fetchall())
            return
        # wide enough never to drop columns when stdout is a pipe or a file
        width = None if self.out.isatty() else 10_000
        with contextlib.redirect_stdout(self.out):
            rel.show(max_rows=self.max_rows, max_width=width)

    def execute(self, text: str) -> bool:
        """Run every statement of ``text``; print results; an error is printed on one line."""
        try:
            statements = self.con.extract_statements(text)
            for statement in statements:
                rel = self.con.sql(statement.query)
                if rel is not None and statement.type.name not in SILENT:
                    self._show(rel)
        except duckdb.Error as exc:
            self.errors += 1
            print(f"Error: {' '.join(str(exc).split())}", file=self.err)
            return False
        self.out.flush()
        return True

    def dot(self, command: str) -> bool:
        """A dot command; False to leave the shell."""
        name = command.split()[0].lower()
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".tables":
            self.execute(TABLES_SQL)
        elif name == ".help":
            print(HELP, file=self.out)
        else:
            self.errors += 1
            print(f"Error: unknown command {name} (.help)", file=self.err)
        return True

    def loop(self, lines: TextIO, interactive: bool) -> None:
        """Read statements (ending with ``;``) until end of input or ``.quit``."""
        buffer: list[str] = []
        while True:
            if interactive:
                try:
                    line = input(MORE if buffer else PROMPT)
                except EOFError:
                    print(file=self.out)
                    break
                except KeyboardInterrupt:
                    print(file=self.out)
                    buffer = []
                    continue
            else:
                line = lines.readline()
                if not line:
                    break
            if not buffer and line.strip().startswith("."):
                if not self.dot(line.strip()):
                    return
                continue
            buffer.append(line.rstrip("\n"))
            text = "\n".join(buffer)
            if _complete(text):
                self.execute(text)
                buffer = []
        rest = "\n".join(buffer).strip()
        if rest:
            self.execute(rest)


def _complete(text: str) -> bool:
    """True when ``text`` ends with a ``;`` outside quotes and comments."""
    quote = None
    last = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif text.startswith("--", i):
            end = text.find("\n", i)
            if end < 0:
                break
            i = end
            continue
        elif not ch.isspace():
            last = ch
        i += 1
    return quote is None and last == ";"


def main(
    path: Path,
    command: str | None,
    csv: bool = False,
    max_rows: int = 100,
    stdin: TextIO | None = None,
) -> int:
    """Run ``command``, or the statements read from stdin; 1 when a statement failed."""
    stdin = stdin or sys.stdin
    con = duckdb.connect(str(path), read_only=True)
    try:
        shell = Shell(con, sys.stdout, sys.stderr, csv_output=csv, max_rows=max_rows)
        if command is not None:
            shell.execute(command)
        else:
            interactive = stdin.isatty()
            if interactive:
                with contextlib.suppress(ImportError):
                    import readline  # noqa: F401  (line editing and history for input())
                print(f"{path} (read-only). .help for help, .quit to leave.")
            shell.loop(stdin, interactive)
        return 1 if shell.errors else 0
    finally:
        con.close()
