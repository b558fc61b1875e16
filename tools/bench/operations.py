"""The operations measured, each as our code and OCA's run it (where OCA has one), and its SQL floor.

An operation is a `prepare(env, facts)` that does the setting up (not measured) and returns the function
measured. The environment is the superuser's in a transaction rolled back after the operation; the
operation switches to the user who does it (a department head, the QMS office, an action owner). Whatever
the operation leaves unwritten is flushed inside the measure, as a commit would.
"""

import os
import tempfile
import zipfile
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tools import SQL

LIST_LIMIT = 80
COUNT_LIMIT = 10001  # what the web client asks


class Operation:
    def __init__(self, key, label, ours, oca=None, floor=None, floor_label=None, targets=()):
        self.key, self.label, self.ours, self.oca, self.floor = key, label, ours, oca, floor
        self.floor_label = floor_label
        self.targets = targets


def today_of(facts):
    return date.fromisoformat(facts["today"])


def user_env(env, login):
    user = env["res.users"].with_context(active_test=False).search([("login", "=", login)], limit=1)
    return env(user=user.id, su=False)


def admin_env(env):
    return env(user=env.ref("base.user_admin").id, su=False)


def list_spec(model):
    """The fields the web client reads for `model`'s list view (as the user sees it)."""
    arch = model.get_views([(False, "list")])["views"]["list"]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        name = node.get("name")
        field = model._fields[name]
        spec[name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


def web_list(model, domain):
    spec = list_spec(model)  # the client has the view already: loading it is not part of the list

    def run():
        return model.web_search_read(domain, spec, limit=LIST_LIMIT, count_limit=COUNT_LIMIT)
    return run


# ---------------------------------------------------------------------- creating


def ours_create_ncs(env, facts):
    office = user_env(env, facts["manager_login"])
    departments = facts["department_ids"]
    vals_list = [{"title": f"Bench nonconformity {n}", "department_id": departments[n % len(departments)],
                  "source": "self_reported", "severity": "minor", "description": "<p>Found at the counter.</p>"}
                 for n in range(1000)]
    return lambda: office["qms.nonconformity"].create(vals_list)


def oca_create_ncs(env, facts):
    office = user_env(env, facts["manager_login"])
    partners, heads = facts["partner_ids"], facts["head_user_ids"]
    origin = env.ref("mgmtsystem_nonconformity.nc_origin_process").id
    vals_list = [{"name": f"Bench nonconformity {n}", "partner_id": partners[n % len(partners)],
                  "responsible_user_id": heads[n % len(heads)], "manager_user_id": office.uid,
                  "origin_ids": [(6, 0, [origin])], "description": "Found at the counter."} for n in range(1000)]
    return lambda: office["mgmtsystem.nonconformity"].create(vals_list)


def ours_create_actions(env, facts):
    office = user_env(env, facts["manager_login"])
    ncs = env["qms.nonconformity"].search([("state", "=", "action")], order="id desc", limit=1000)
    staff = env["res.users"].search([("login", "in", facts["staff_logins"])]).grouped(
        lambda user: user.employee_ids[:1].department_id.id)
    due = today_of(facts) + timedelta(days=10)
    vals_list = []
    for n in range(1000):
        nc = ncs[n % len(ncs)]
        owners = staff.get(nc.department_id.id) or next(iter(staff.values()))
        vals_list.append({"name": f"Bench action {n}", "nonconformity_id": nc.id, "action_type": "corrective",
                          "owner_id": owners[n % len(owners)].id, "date_deadline": due})
    return lambda: office["qms.action"].create(vals_list)


def oca_create_actions(env, facts):
    office = user_env(env, facts["manager_login"])
    ncs = env["mgmtsystem.nonconformity"].search([("state", "=", "open")], order="id desc", limit=1000)
    users = env["res.users"].search([("login", "in", facts["staff_logins"])])
    due = today_of(facts) + timedelta(days=10)
    vals_list = [{"name": f"Bench action {n}", "type_action": "correction", "user_id": users[n % len(users)].id,
                  "date_deadline": due, "nonconformity_ids": [(4, ncs[n % len(ncs)].id)]} for n in range(1000)]
    return lambda: office["mgmtsystem.action"].create(vals_list)


# ---------------------------------------------------------------------- reading


OURS_OPEN = [("state", "not in", ("closed", "cancelled"))]
OCA_OPEN = [("state", "not in", ("done", "cancel"))]


def ours_list_head(env, facts):
    return web_list(user_env(env, facts["head_login"])["qms.nonconformity"], OURS_OPEN)


def ours_list_admin(env, facts):
    return web_list(admin_env(env)["qms.nonconformity"], OURS_OPEN)


def oca_list_admin(env, facts):
    return web_list(admin_env(env)["mgmtsystem.nonconformity"], OCA_OPEN)


def group_by(model, domain, field):
    return lambda: model.web_read_group(domain, [field], ["__count"])


def ours_group_department(env, facts):
    return group_by(admin_env(env)["qms.nonconformity"], OURS_OPEN, "department_id")


def oca_group_department(env, facts):
    return group_by(admin_env(env)["mgmtsystem.nonconformity"], OCA_OPEN, "partner_id")


def ours_group_state(env, facts):
    return group_by(admin_env(env)["qms.nonconformity"], [], "state")


def oca_group_state(env, facts):
    return group_by(admin_env(env)["mgmtsystem.nonconformity"], [], "state")


def ours_overdue_actions(env, facts):
    owner = user_env(env, facts["overdue_login"])
    return web_list(owner["qms.action"], [("owner_id", "=", owner.uid), ("is_overdue", "=", True)])


def oca_overdue_actions(env, facts):
    owner = user_env(env, facts["overdue_login"])
    return web_list(owner["mgmtsystem.action"], [("user_id", "=", owner.uid),
                                                 ("date_deadline", "<", today_of(facts)),
                                                 ("stage_id.is_ending", "=", False)])


# ---------------------------------------------------------------------- jobs


def ours_daily_job(env, facts):
    def run():
        env["qms.nonconformity"]._cron_escalate()
        env["qms.action"]._cron_escalate()
    return run


def oca_daily_job(env, facts):
    return lambda: env["mgmtsystem.action"].process_reminder_queue()


CATCH_UP_DAYS = 14


def ours_catch_up(env, facts):
    later = today_of(facts) + timedelta(days=CATCH_UP_DAYS)

    def run():
        env["qms.nonconformity"]._cron_escalate(today=later)
        env["qms.action"]._cron_escalate(today=later)
    return run


# ---------------------------------------------------------------------- reports


def pivot(model, domain, rows, cols, measures):
    def run():
        if hasattr(model, "formatted_read_grouping_sets"):
            return model.formatted_read_grouping_sets(domain, [[], [rows], [cols], [rows, cols]], measures)
        return [model.formatted_read_group(domain, groupby, measures) for groupby in ([], [rows], [cols],
                                                                                     [rows, cols])]
    return run


def ours_ageing(env, facts):
    return pivot(admin_env(env)["qms.nonconformity.analysis"], [("is_open", "=", True)], "department_id",
                 "ageing_bucket", ["__count", "age_days:avg"])


def floor_ageing(env, facts):
    today = today_of(facts)
    query = SQL("""
        SELECT department_id, bucket, count(*), avg(age)
          FROM (SELECT department_id, %(today)s - date_detected AS age,
                       CASE WHEN %(today)s - date_detected <= 7 THEN '0_7' WHEN %(today)s - date_detected <= 30
                            THEN '8_30' WHEN %(today)s - date_detected <= 90 THEN '31_90' ELSE '90_plus' END AS bucket
                  FROM qms_nonconformity
                 WHERE state NOT IN ('closed', 'cancelled')) AS nc
      GROUP BY GROUPING SETS ((), (department_id), (bucket), (department_id, bucket))""", today=today)
    return lambda: env.execute_query(query)


def ours_audit_pdf(env, facts):
    report = env["ir.actions.report"].with_context(force_report_rendering=True)
    return lambda: report._render_qweb_pdf("gov_qms_audit.action_report_qms_audit", [facts["report_audit_id"]])


def oca_audit_pdf(env, facts):
    report = env["ir.actions.report"].with_context(force_report_rendering=True)
    return lambda: report._render_qweb_pdf("mgmtsystem_audit.audit_report_mgmtsystem_audit",
                                           [facts["report_audit_id"]])


def last_month(facts):
    return today_of(facts).replace(day=1) - relativedelta(months=1)


def ours_scorecards(env, facts):
    month = last_month(facts)
    return lambda: env["qms.department.score"]._qms_compute_month(month, env.company)


def floor_scorecards(env, facts):
    """The figures of every department's scorecard of the month in one grouped query: raised, closed, closed on
    time, average days to close, recurrences, gone overdue and supervised (nonconformities and actions)."""
    start = last_month(facts)
    end = start + relativedelta(months=1)
    query = SQL("""
        SELECT department_id, sum(raised), sum(closed), sum(on_time), sum(days) / NULLIF(sum(closed), 0),
               sum(recurrences), sum(overdue), sum(supervised)
          FROM (SELECT department_id,
                       count(*) FILTER (WHERE date_detected >= %(start)s AND date_detected < %(end)s) AS raised,
                       count(*) FILTER (WHERE date_closed >= %(start)s AND date_closed < %(end)s) AS closed,
                       count(*) FILTER (WHERE date_closed >= %(start)s AND date_closed < %(end)s
                                          AND closed_on_time) AS on_time,
                       sum(days_to_close) FILTER (WHERE date_closed >= %(start)s AND date_closed < %(end)s) AS days,
                       count(*) FILTER (WHERE date_detected >= %(start)s AND date_detected < %(end)s
                                          AND is_recurrence) AS recurrences,
                       count(*) FILTER (WHERE date_overdue >= %(start)s AND date_overdue < %(end)s) AS overdue,
                       count(*) FILTER (WHERE date_supervised >= %(start)s AND date_supervised < %(end)s)
                           AS supervised
                  FROM qms_nonconformity
                 WHERE company_id = %(company)s
                   AND (date_detected >= %(start)s AND date_detected < %(end)s
                        OR date_closed >= %(start)s AND date_closed < %(end)s
                        OR date_overdue >= %(start)s AND date_overdue < %(end)s
                        OR date_supervised >= %(start)s AND date_supervised < %(end)s)
              GROUP BY department_id
             UNION ALL
                SELECT department_id, 0, 0, 0, 0, 0,
                       count(*) FILTER (WHERE date_overdue >= %(start)s AND date_overdue < %(end)s),
                       count(*) FILTER (WHERE date_supervised >= %(start)s AND date_supervised < %(end)s)
                  FROM qms_action
                 WHERE company_id = %(company)s
                   AND (date_overdue >= %(start)s AND date_overdue < %(end)s
                        OR date_supervised >= %(start)s AND date_supervised < %(end)s)
              GROUP BY department_id) AS figures
      GROUP BY department_id""", company=env.company.id, start=start, end=end)
    return lambda: env.execute_query(query)


COVERAGE_FIELDS = {"coverage_html": {}, "coverage_percent": {},
                   "gap_department_ids": {"fields": {"display_name": {}}},
                   "gap_clause_ids": {"fields": {"display_name": {}}}}


def ours_coverage(env, facts):
    programme = admin_env(env)["qms.audit.programme"].browse(facts["programme_id"])
    spec = {name: value for name, value in COVERAGE_FIELDS.items() if name in programme._fields}
    return lambda: programme.web_read(spec)


def floor_coverage(env, facts):
    """The cells of the matrix (departments with a QMS code x applicable second-level clauses) covered by the
    year's audits, done or planned, and the gaps: an audit of a department covers its sections, an audit of a
    clause its sub-clauses and the clause above."""
    year = today_of(facts).year
    company = env.company.id
    Audit = env["qms.audit"]
    departments, clauses = Audit._fields["department_ids"], Audit._fields["clause_ids"]
    query = SQL("""
        WITH cols AS (SELECT c.id, c.parent_path FROM qms_iso_clause c JOIN qms_iso_clause p ON p.id = c.parent_id
                       WHERE p.parent_id IS NULL
                         AND COALESCE((c.applicable ->> %(company_key)s)::boolean, TRUE)),
             rows_ AS (SELECT id, parent_path FROM hr_department
                        WHERE (company_id = %(company)s OR company_id IS NULL) AND qms_code IS NOT NULL),
             audits AS (SELECT id, state IN ('reported', 'closed') AS done FROM qms_audit
                         WHERE company_id = %(company)s AND state != 'cancelled'
                           AND date_start BETWEEN %(start)s AND %(end)s),
             audit_rows AS (SELECT DISTINCT a.id AS audit_id, a.done, r.id AS row_id
                              FROM audits a JOIN %(dep_rel)s ad ON ad.%(dep_audit)s = a.id
                              JOIN hr_department d ON d.id = ad.%(dep_other)s
                              JOIN rows_ r ON r.parent_path LIKE d.parent_path || '%%'),
             audit_cols AS (SELECT DISTINCT a.id AS audit_id, col.id AS col_id
                              FROM audits a JOIN %(cl_rel)s ac ON ac.%(cl_audit)s = a.id
                              JOIN qms_iso_clause c ON c.id = ac.%(cl_other)s
                              JOIN cols col ON c.parent_path LIKE col.parent_path || '%%'
                                            OR col.parent_path LIKE c.parent_path || '%%'),
             cells AS (SELECT ar.row_id, ac.col_id, bool_or(ar.done) AS done
                         FROM audit_rows ar JOIN audit_cols ac ON ac.audit_id = ar.audit_id
                     GROUP BY ar.row_id, ac.col_id)
        SELECT (SELECT count(*) FROM cells), (SELECT count(*) FROM cells WHERE done),
               (SELECT count(*) FROM rows_ WHERE id NOT IN (SELECT row_id FROM audit_rows)),
               (SELECT count(*) FROM cols WHERE id NOT IN (SELECT col_id FROM cells)),
               (SELECT count(*) FROM rows_) * (SELECT count(*) FROM cols)""",
                company=company, company_key=str(company), start=date(year, 1, 1), end=date(year, 12, 31),
                dep_rel=SQL.identifier(departments.relation), dep_audit=SQL.identifier(departments.column1),
                dep_other=SQL.identifier(departments.column2), cl_rel=SQL.identifier(clauses.relation),
                cl_audit=SQL.identifier(clauses.column1), cl_other=SQL.identifier(clauses.column2))
    return lambda: env.execute_query(query)


def kpi_period(facts):
    """The dashboard's default period: the last six months, from the first of the month."""
    today = today_of(facts)
    return today.replace(day=1) - relativedelta(months=5), today


def ours_kpi_dashboard(env, facts):
    dashboard = env.get("qms.dashboard")
    if dashboard is None or not hasattr(dashboard, "get_kpi_data"):
        raise Skip("no KPI dashboard (qms.dashboard.get_kpi_data) in this database")
    model = admin_env(env)["qms.dashboard"]
    date_from, date_to = kpi_period(facts)
    return lambda: model.get_kpi_data(str(date_from), str(date_to))


def floor_kpi_dashboard(env, facts):
    """The dashboard's figures in one statement: closed and on time by department and month, raised, ageing of the
    open ones, overdue and supervised items (nonconformities and actions), recurrences by month, audits by state
    and the departments audited."""
    date_from, date_to = kpi_period(facts)
    today = today_of(facts)
    as_of = min(date_to, today)
    query = SQL("""
        WITH nc AS (SELECT * FROM qms_nonconformity WHERE company_id = %(company)s),
             open_nc AS (SELECT * FROM nc WHERE state NOT IN ('closed', 'cancelled')),
             open_action AS (SELECT * FROM qms_action WHERE company_id = %(company)s AND state = 'open')
        SELECT 'on_time', department_id, date_trunc('month', date_closed), closed_on_time::text, count(*)
          FROM nc WHERE date_closed BETWEEN %(start)s AND %(end)s GROUP BY 2, 3, 4
        UNION ALL
        SELECT 'raised', department_id, NULL, NULL, count(*)
          FROM nc WHERE date_detected BETWEEN %(start)s AND %(end)s GROUP BY 2
        UNION ALL
        SELECT 'ageing', department_id, NULL,
               CASE WHEN %(as_of)s - date_detected <= 7 THEN '0_7' WHEN %(as_of)s - date_detected <= 30 THEN '8_30'
                    WHEN %(as_of)s - date_detected <= 90 THEN '31_90' ELSE '90_plus' END, count(*)
          FROM open_nc WHERE date_detected <= %(as_of)s GROUP BY 2, 4
        UNION ALL
        SELECT 'overdue', department_id, NULL, NULL, count(*)
          FROM (SELECT department_id FROM open_nc WHERE date_deadline < %(today)s
                UNION ALL SELECT department_id FROM open_action WHERE date_deadline < %(today)s) AS items GROUP BY 2
        UNION ALL
        SELECT 'supervised', department_id, NULL, NULL, count(*)
          FROM (SELECT department_id FROM open_nc WHERE is_supervised
                UNION ALL SELECT department_id FROM open_action WHERE is_supervised) AS items GROUP BY 2
        UNION ALL
        SELECT 'supervised_new', department_id, NULL, NULL, count(*)
          FROM (SELECT department_id FROM nc WHERE date_supervised BETWEEN %(start)s AND %(end)s
                UNION ALL SELECT department_id FROM qms_action WHERE company_id = %(company)s
                                                      AND date_supervised BETWEEN %(start)s AND %(end)s) AS items
         GROUP BY 2
        UNION ALL
        SELECT 'recurrences', department_id, date_trunc('month', date_detected), NULL, count(*)
          FROM nc WHERE is_recurrence AND date_detected BETWEEN %(start)s AND %(end)s GROUP BY 2, 3
        UNION ALL
        SELECT 'audits', NULL, NULL, state, count(*)
          FROM qms_audit WHERE company_id = %(company)s AND state != 'cancelled'
                           AND date_start BETWEEN %(start)s AND %(end)s GROUP BY 4""",
                company=env.company.id, start=date_from, end=date_to, as_of=as_of, today=today)
    return lambda: env.execute_query(query)


def ours_review(env, facts):
    office = user_env(env, facts["manager_login"])
    today = today_of(facts)
    Review = office["qms.management.review"]
    chair = office.uid
    review = Review.create({"date_from": today - relativedelta(years=1), "date_to": today - timedelta(days=1),
                            "chair_id": chair, "title": "Bench review"})
    return review.action_compile


def ours_evidence_pack(env, facts):
    office = user_env(env, facts["manager_login"])
    year = facts["pack_year"]
    env.company.qms_evidence_pack_async_files = 10 ** 9  # built at once, in the measure
    pack = office["qms.evidence.pack"].create({
        "name": "Bench evidence pack", "department_ids": [(6, 0, [facts["pack_department_id"]])],
        "date_from": date(year, 1, 1), "date_to": date(year, 12, 31)})
    state = {"pack": pack}
    env.flush_all()

    def run():
        pack.action_build()
        return state
    return run


def floor_evidence_pack(env, facts, built):
    """Zipping the files of the built pack directly with zipfile (same compression), from files on disk."""
    pack = built["pack"].sudo()
    attachment = pack.attachment_id
    folder = tempfile.mkdtemp(prefix="qms-bench-pack-")
    with zipfile.ZipFile(attachment._full_path(attachment.store_fname)) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        archive.extractall(folder)

    def run():
        with tempfile.TemporaryFile(prefix="qms-bench-zip-") as target, \
                zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for name in names:
                out.write(os.path.join(folder, name), name)

    def cleanup():
        for root, dirs, files in os.walk(folder, topdown=False):
            for name in files:
                os.unlink(os.path.join(root, name))
            for name in dirs:
                os.rmdir(os.path.join(root, name))
        os.rmdir(folder)
    return run, cleanup


class Skip(Exception):
    """The operation cannot run in this database (what is missing is the message)."""


def qpr(limit):
    """Target: at most `limit` queries per record created (1,000 records)."""
    return ("queries", f"<= {limit:g} queries/record", lambda row: row["ours_queries"] <= limit * 1000)


SHARED = ("ratio", "<= OCA time and queries",
          lambda row: row["ratio"] is None or (row["ratio"] <= 1.0 and row["ours_queries"] <= row["oca_queries"]))
FLOOR = ("floor", "<= 2x SQL floor", lambda row: row["floor_ratio"] is None or row["floor_ratio"] <= 2.0)
MEMORY = ("memory", "< 500 MB", lambda row: row["peak_rss_mb"] < 500)

OPERATIONS = [
    Operation("create_ncs", "create 1,000 NCs in one create()", ours_create_ncs, oca_create_ncs,
              targets=(SHARED, qpr(0.3), MEMORY)),
    Operation("create_actions", "create 1,000 actions (NCs under way: owner to-dos)", ours_create_actions,
              oca_create_actions, targets=(SHARED, qpr(0.3), MEMORY)),
    Operation("list_head", "NC list first page + count, as a department head (OCA: admin)", ours_list_head,
              oca_list_admin, targets=(SHARED, ("head", "<= 1.5x our admin list", None), MEMORY)),
    Operation("list_admin", "NC list first page + count, as admin", ours_list_admin, oca_list_admin,
              targets=(SHARED, MEMORY)),
    Operation("group_department", "group NCs by department (OCA: partner)", ours_group_department,
              oca_group_department, targets=(SHARED, MEMORY)),
    Operation("group_state", "group NCs by state", ours_group_state, oca_group_state, targets=(SHARED, MEMORY)),
    Operation("overdue_actions", "one user's overdue actions", ours_overdue_actions, oca_overdue_actions,
              targets=(SHARED, MEMORY)),
    Operation("daily_job", "daily escalation job (OCA: action reminders)", ours_daily_job, oca_daily_job,
              targets=(SHARED, MEMORY)),
    Operation("catch_up", f"catch-up run after {CATCH_UP_DAYS} days' downtime (OCA has none)", ours_catch_up,
              targets=(("catch_up", "<= 5 s", lambda row: row["ours_ms"] <= 5000), MEMORY)),
    Operation("ageing_pivot", "ageing pivot of open NCs (department x age)", ours_ageing, floor=floor_ageing,
              targets=(FLOOR, MEMORY)),
    Operation("audit_pdf", "an audit report PDF", ours_audit_pdf, oca_audit_pdf, targets=(SHARED, MEMORY)),
    Operation("scorecards", "monthly scorecards of all departments", ours_scorecards, floor=floor_scorecards,
              targets=(FLOOR, MEMORY)),
    Operation("coverage", "coverage matrix of this year's programme", ours_coverage, floor=floor_coverage,
              targets=(FLOOR, MEMORY)),
    Operation("kpi_dashboard", "KPI dashboard (last six months, as admin)", ours_kpi_dashboard,
              floor=floor_kpi_dashboard, targets=(FLOOR, MEMORY)),
    Operation("review", "compiling a management review (last 12 months)", ours_review, targets=(MEMORY,)),
    Operation("evidence_pack", "evidence pack of one department-year (floor: zipfile of its files)",
              ours_evidence_pack, floor=floor_evidence_pack, floor_label="zip",  # measured with ours
              targets=(("pack", "<= 2x zip", lambda row: row["floor_ratio"] is None or row["floor_ratio"] <= 2.0),
                       ("pack_memory", "< 300 MB", lambda row: row["peak_rss_mb"] < 300))),
]
BY_KEY = {operation.key: operation for operation in OPERATIONS}
