"""The results: one row per operation, the table printed with the targets, the JSON list."""

import json

from . import operations

KEYS = ("operation", "ours_ms", "oca_ms", "ratio", "ours_queries", "oca_queries", "floor_ms", "floor_ratio",
        "peak_rss_mb")


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def make_row(operation, ours, oca=None, floor=None):
    """A result row (exactly KEYS) from the summaries of our side, OCA's and the floor."""
    ratio = ours["ms"] / oca["ms"] if oca and oca["ms"] else None
    floor_ratio = ours["ms"] / floor["ms"] if floor and floor["ms"] else None
    return {
        "operation": operation.label, "ours_ms": _round(ours["ms"]), "oca_ms": _round(oca["ms"]) if oca else None,
        "ratio": _round(ratio, 2), "ours_queries": ours["queries"], "oca_queries": oca["queries"] if oca else None,
        "floor_ms": _round(floor["ms"], 2) if floor else None, "floor_ratio": _round(floor_ratio, 2),
        "peak_rss_mb": _round(ours["peak_rss_mb"]),
    }


def check_targets(operation, row, rows_by_key):
    """[(target text, passed)] for the row; a target that does not apply is left out."""
    marks = []
    for _name, text, check in operation.targets:
        if operation.key == "list_head" and check is None:
            admin = rows_by_key.get("list_admin")
            if admin and admin["ours_ms"]:
                marks.append((text, row["ours_ms"] <= 1.5 * admin["ours_ms"]))
            continue
        if "OCA" in text and row["oca_ms"] is None:
            continue
        if "floor" in text and row["floor_ratio"] is None:
            continue
        marks.append((text, bool(check(row))))
    return marks


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def table(rows, marks, notes=()):
    header = ("operation", "ours ms", "OCA ms", "ours/OCA", "ours q", "OCA q", "floor ms", "/floor", "peak MB",
              "targets")
    lines = []
    for row, row_marks in zip(rows, marks, strict=True):
        targets = "; ".join(f"{text} {'ok' if passed else 'MISS'}" for text, passed in row_marks)
        lines.append((row["operation"], _fmt(row["ours_ms"]), _fmt(row["oca_ms"]), _fmt(row["ratio"], 2),
                      _fmt(row["ours_queries"]), _fmt(row["oca_queries"]), _fmt(row["floor_ms"], 2),
                      _fmt(row["floor_ratio"], 2), _fmt(row["peak_rss_mb"], 0), targets))
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    out = []
    for number, line in enumerate([header, *lines]):
        cells = [str(cell).ljust(widths[i]) if i in (0, 9) else str(cell).rjust(widths[i])
                 for i, cell in enumerate(line)]
        out.append(" | ".join(cells).rstrip())
        if number == 0:
            out.append("-+-".join("-" * width for width in widths))
    out += [f"note: {note}" for note in notes]
    return "\n".join(out)


def markdown(rows):
    """The README's table (the lead pastes it)."""
    out = ["| operation | ours ms | OCA ms | ours/OCA | ours queries | OCA queries | floor ms | ours/floor | peak MB |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        out.append("| " + " | ".join([row["operation"], _fmt(row["ours_ms"]), _fmt(row["oca_ms"]),
                                      _fmt(row["ratio"], 2), _fmt(row["ours_queries"]), _fmt(row["oca_queries"]),
                                      _fmt(row["floor_ms"], 2), _fmt(row["floor_ratio"], 2),
                                      _fmt(row["peak_rss_mb"], 0)]) + " |")
    return "\n".join(out)


def write_json(path, rows):
    for row in rows:
        assert tuple(row) == KEYS, row
    with open(path, "w", encoding="utf-8") as target:
        json.dump(rows, target, indent=2)
        target.write("\n")


def operation_of(row):
    return next(operation for operation in operations.OPERATIONS if operation.label == row["operation"])
