"""Bulk INSERTs of ORM records: every stored column written as the ORM would write it, the bulk in batches.

`insert` takes the values of each record as a `create` would (many2one as ids, many2many as lists of ids)
plus the stored computed fields, which the caller computes as the model does. Missing values take the
model's defaults (``default_get``, once per batch), the magic columns are set, ids come from the table's
own sequence in the order given. `verify_sample` then reads a sample back through the ORM: it recomputes
every stored computed and related field and runs every Python constraint on it, and reports each value
that differs from what was loaded.
"""

import json
from datetime import datetime

from psycopg2.extras import Json, execute_values

from odoo.tools import SQL

BATCH = 5000
PROGRESS = 50_000  # rows between two progress lines
MAGIC = ("create_uid", "create_date", "write_uid", "write_date")


def stored_columns(model):
    return {name: field for name, field in model._fields.items()
            if field.store and field.column_type and name != "id"}


def quote(name):
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not an SQL identifier: {name!r}")
    return f'"{name}"'


def reserve_ids(env, table, count):
    """`count` new ids of `table`, increasing, from its own sequence."""
    if not count:
        return []
    env.cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"{table}_id_seq", count))
    return [row[0] for row in env.cr.fetchall()]


def column_value(field, value):
    if value is None or value is False and field.type not in ("boolean", "integer", "float", "monetary"):
        return None
    if field.type == "many2one":
        return value.id if hasattr(value, "_name") else int(value) or None
    if field.translate:
        return Json({"en_US": value}) if value is not None else None
    if field.type in ("json", "properties"):
        return Json(value)
    if field.type == "boolean":
        return bool(value)
    return value


def insert(env, model_name, vals_list, ids=None, now=None):
    """Insert the records of `vals_list` into the table of `model_name`; return their ids."""
    model = env[model_name]
    columns = stored_columns(model)
    now = now or datetime.now().replace(microsecond=0)
    defaults = model.default_get(list(columns))
    m2m_fields = {name: field for name, field in model._fields.items()
                  if field.type == "many2many" and field.store and any(name in vals for vals in vals_list)}
    names = sorted({name for vals in vals_list for name in vals if name in columns} | set(defaults) & set(columns)
                   | set(MAGIC))
    unknown = {name for vals in vals_list for name in vals} - set(columns) - set(m2m_fields)
    if unknown:
        raise ValueError(f"{model_name}: not stored columns: {sorted(unknown)}")
    if ids is None:
        ids = reserve_ids(env, model._table, len(vals_list))
    uid = env.uid
    rows = []
    for record_id, vals in zip(ids, vals_list, strict=True):
        row = [record_id]
        for name in names:
            if name in vals:
                value = vals[name]
            elif name in ("create_date", "write_date"):
                value = vals.get("create_date", now)
            elif name in ("create_uid", "write_uid"):
                value = vals.get("create_uid", uid)
            else:
                value = defaults.get(name)
            row.append(column_value(columns[name], value))
        rows.append(row)
    query = f"INSERT INTO {quote(model._table)} (id, {', '.join(map(quote, names))}) VALUES %s"
    for start in range(0, len(rows), BATCH):
        execute_values(env.cr._obj, query, rows[start:start + BATCH], page_size=BATCH)
        done = start + BATCH
        if len(rows) > PROGRESS and done < len(rows) and done % PROGRESS == 0:
            print(f"bench:   {model_name}: {done:,} of {len(rows):,}", flush=True)
    for name, field in m2m_fields.items():
        pairs = [(record_id, other) for record_id, vals in zip(ids, vals_list, strict=True)
                 for other in vals.get(name) or ()]
        insert_pairs(env, field.relation, field.column1, field.column2, pairs)
    # the stored computed fields the caller did not give: computed by the ORM itself, in batches
    given = {name for vals in vals_list for name in vals}
    missing = [field for name, field in columns.items() if field.compute and name not in given]
    if missing:
        recompute(env, model, ids, missing)
    return ids


def recompute(env, model, ids, fields):
    """Have the ORM compute and store `fields` of the records `ids` (batches of BATCH)."""
    for start in range(0, len(ids), BATCH):
        records = model.browse(ids[start:start + BATCH])
        for field in fields:
            env.add_to_compute(field, records)
        env.flush_all()
        env.invalidate_all()


def insert_pairs(env, table, column1, column2, pairs):
    if not pairs:
        return
    query = f"INSERT INTO {quote(table)} ({quote(column1)}, {quote(column2)}) VALUES %s ON CONFLICT DO NOTHING"
    for start in range(0, len(pairs), BATCH):
        execute_values(env.cr._obj, query, pairs[start:start + BATCH], page_size=BATCH)


def clone_rows(env, table, template_id, overrides_list):
    """Copy the row `template_id` of `table` once per dict of `overrides_list` (new ids); return the ids."""
    env.cr.execute(SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(table), template_id))
    template = dict(zip([column.name for column in env.cr.description], env.cr.fetchone(), strict=True))
    names = [name for name in template if name != "id"]
    ids = reserve_ids(env, table, len(overrides_list))
    rows = []
    for record_id, overrides in zip(ids, overrides_list, strict=True):
        values = {**template, **overrides}
        rows.append([record_id, *(Json(v) if isinstance(v, dict) else v for v in (values[n] for n in names))])
    query = f"INSERT INTO {quote(table)} (id, {', '.join(map(quote, names))}) VALUES %s"
    for start in range(0, len(rows), BATCH):
        execute_values(env.cr._obj, query, rows[start:start + BATCH], page_size=BATCH)
    return ids


def set_column(env, table, column, pairs):
    """UPDATE `table` SET `column` = value WHERE id = id for each (id, value) of `pairs`."""
    if not pairs:
        return
    query = f"UPDATE {quote(table)} AS t SET {quote(column)} = v.value FROM (VALUES %s) AS v(id, value) " \
        "WHERE t.id = v.id"
    for start in range(0, len(pairs), BATCH):
        execute_values(env.cr._obj, query, pairs[start:start + BATCH], page_size=BATCH)


def _comparable(value):
    if hasattr(value, "_name"):
        return tuple(sorted(value.ids))
    if isinstance(value, float):
        return round(value, 6)
    return value


def verify_sample(env, model_name, ids, skip=()):
    """Differences between what was loaded and what the ORM computes for the records `ids`: every stored
    computed or related field recomputed, every Python constraint run. Rolled back whatever happens."""
    model = env[model_name]
    records = model.browse(ids)
    computed = [field for name, field in model._fields.items()
                if field.store and field.compute and name not in skip]
    problems = []
    try:
        with env.cr.savepoint(flush=False):
            env.flush_all()
            env.invalidate_all()
            loaded = {field.name: {record.id: _comparable(record[field.name]) for record in records}
                      for field in computed}
            env.invalidate_all()
            for field in computed:
                env.add_to_compute(field, records)
            env.flush_all()
            env.invalidate_all()
            for field in computed:
                for record in records:
                    value = _comparable(record[field.name])
                    if value != loaded[field.name][record.id]:
                        problems.append(f"{model_name}({record.id}).{field.name}: loaded "
                                        f"{loaded[field.name][record.id]!r}, the ORM computes {value!r}")
            try:
                records._validate_fields(set(model._fields))
            except Exception as exc:
                problems.append(f"{model_name} constraint: {exc}")
            raise _Rollback
    except _Rollback:
        pass
    env.invalidate_all()
    return problems


class _Rollback(Exception):
    pass


def dumps(value):
    return json.dumps(value, default=str, sort_keys=True)
