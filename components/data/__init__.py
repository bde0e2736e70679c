"""The one loader of ../shared/docs/csv-contract.md, split by concern.

schema   the files, their columns and vocabularies; Problem and CellError
cells    one cell (numbers, years, units) and one file's bytes (decoding)
rows     the row-by-row parser, which finds and locates every problem
fast     the column-by-column parser of clean files (province scale)
parse    bytes or text to a frame: the fast path, else row by row
cache    parsed frames on disk, verified against the file's content, and each file's last good version
snapshot Dataset: one consistent read-only snapshot, with derived data and remembered views
query    sums and counts across regions or years, by DuckDB from the Parquet entries (else None)
source   DataSource: a folder in service, read in the background and swapped in whole
upload   files given as bytes (the 数据检查 page)
allocators  freed memory handed back to the system (Arrow's pool, glibc's mmap threshold)
"""

from components.data.cache import ParsedCache, parser_version
from components.data.cells import decode, half_unit, margin, money_unit, parse_number, parse_year
from components.data.fast import parse_fast
from components.data.parse import parse_bytes, parse_text
from components.data.rows import empty_frame, parse_header, parse_rows
from components.data.schema import (
    BASE_UNIT,
    MISSING_MARKS,
    MONEY_FACTORS,
    SCHEMAS,
    CellError,
    Col,
    Problem,
    Schema,
    clean,
    shown,
)
from components.data.snapshot import Dataset, FileState
from components.data.source import DataSource, load_folder
from components.data.upload import Loaded, dataset_of, load_bytes, schema_from_header

__all__ = [
    "BASE_UNIT",
    "MISSING_MARKS",
    "MONEY_FACTORS",
    "SCHEMAS",
    "CellError",
    "Col",
    "DataSource",
    "Dataset",
    "FileState",
    "Loaded",
    "ParsedCache",
    "Problem",
    "Schema",
    "clean",
    "dataset_of",
    "decode",
    "empty_frame",
    "half_unit",
    "load_bytes",
    "load_folder",
    "margin",
    "money_unit",
    "parse_bytes",
    "parse_fast",
    "parse_header",
    "parse_number",
    "parse_rows",
    "parse_text",
    "parse_year",
    "parser_version",
    "schema_from_header",
    "shown",
]
