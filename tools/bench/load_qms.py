"""Loads a plan into a database with gov_qms: the organisation through the ORM, the bulk through SQL.

The organisation (departments, users, employees, auditors, programmes, reviews) is small and goes through
the ORM as a person would create it. Documents, revisions, audits, checklist lines, findings,
nonconformities, actions, effectiveness checks and evidence files are inserted in batches (bulk.insert):
every stored column as the ORM writes it (defaults, stored computed and related fields, numbering from the
company's sequences, which are moved past the numbers used), then checked by reading a sample back through
the ORM (bulk.verify_sample). The to-dos of open items are created through the ORM, without e-mails, as the
escalation ladder creates them.
"""

import random
from datetime import date, datetime, time, timedelta

from odoo.addons.gov_qms_docs.models import qms_document
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION

from . import bulk
from .load_oca import sequence_names
from .plan import Planner, choose_facts

QMS_GROUPS = {"manager": "gov_qms_docs.group_qms_manager", "head": "gov_qms_docs.group_qms_department_head",
              "auditor": "gov_qms_docs.group_qms_auditor", "staff": "gov_qms_docs.group_qms_viewer"}
BLOBS = 40  # distinct evidence and document files (PDF-like, incompressible like real scans)


def log(message):
    print(f"bench: {message}", flush=True)


class Calendar:
    """The company's working days for the planner (the suite's own WorkingDays, loaded once for all)."""

    def __init__(self, env, company, start, stop):
        self.days = env["qms.deadline.mixin"]._qms_working_days(company)
        self.days.load(start, stop)

    def add(self, day, count):
        return self.days.add(day, count)

    def is_working(self, day):
        return self.days.is_working(day)


def make_plan(env, scale, today, seed=2026):
    """The plan of `scale` for this database's company, as of `today`."""
    company = env.company
    calendar = Calendar(env, company, date(today.year - scale.years, 1, 1), today + timedelta(days=400))
    Rule = env["qms.time.limit.rule"]
    cache = {}

    def rules(source, severity):
        if (source, severity) not in cache:
            rule = Rule._qms_rule_for(source, severity, company)
            cache[source, severity] = (rule.id, rule.reply_days, rule.action_plan_days, rule.close_days) \
                if rule else None
        return cache[source, severity]

    Clause = env["qms.iso.clause"].with_company(company)
    leaves = Clause.search([("applicable", "=", True), ("child_ids", "=", False), ("parent_id", "!=", False)])
    leaves = leaves.sorted(lambda c: [int(part) for part in c.code.split(".")])
    clauses = [(clause.id, clause.code, clause.guidance or clause.name) for clause in leaves]
    settings = {
        "reminder_days": company.qms_reminder_days, "supervise_days": company.qms_supervise_after_days,
        "notice_days": company.qms_audit_notice_days, "review_notice_days": company.qms_review_notice_days,
        "effectiveness_major": company.qms_effectiveness_days_major,
        "effectiveness_minor": company.qms_effectiveness_days_minor,
    }
    return Planner(scale, today, calendar, rules, clauses, settings, seed=seed).plan()


def revision_label(number):
    """The label of the number-th revision of a document, in the suite's scheme (A/0, A/1, ...)."""
    if hasattr(qms_document, "format_label"):
        return qms_document.format_label(0, number - 1)
    return str(number)


def at(day, hour=9):
    return datetime.combine(day, time(hour, 0)) if day else None


class QmsLoader:
    """Loads `plan` into `env` (superuser); `commit` is called after each batch (a no-op in tests)."""

    def __init__(self, env, plan, commit=lambda: None, prefix="BN", advance_sequences=True):
        self.env, self.plan, self.commit, self.prefix = env, plan, commit, prefix
        self.advance_sequences = advance_sequences
        self.company = env.company
        self.rng = random.Random(f"load-{plan.scale.name}")
        self.now = datetime.now().replace(microsecond=0)

    # ------------------------------------------------------------------ organisation (ORM)

    def load_organisation(self):
        env, plan = self.env, self.plan
        Department = env["hr.department"].with_context(tracking_disable=True, mail_create_nolog=True)
        self.department_ids = {}
        pending = list(plan.departments)
        while pending:
            ready = [d for d in pending if d.parent is None or d.parent in self.department_ids]
            created = Department.create([{
                "name": d.name, "qms_code": f"{self.prefix}{d.code}", "company_id": self.company.id,
                "parent_id": self.department_ids.get(d.parent, False)} for d in ready])
            self.department_ids.update({d.index: rec.id for d, rec in zip(ready, created, strict=True)})
            pending = [d for d in pending if d.index not in self.department_ids]
        group_user = env.ref("base.group_user").id
        Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True, mail_create_nolog=True,
                                              mail_notrack=True)
        self.user_ids = {}
        for start in range(0, len(plan.users), 200):
            chunk = plan.users[start:start + 200]
            users = Users.create([{
                "name": user.name, "login": f"{self.prefix.lower()}.{user.login}",
                "email": f"{user.login}@city.example",
                "company_id": self.company.id, "company_ids": [(6, 0, [self.company.id])],
                "group_ids": [(6, 0, [group_user, env.ref(QMS_GROUPS[user.role]).id])],
            } for user in chunk])
            self.user_ids.update({user.index: rec.id for user, rec in zip(chunk, users, strict=True)})
        Employee = env["hr.employee"].with_context(tracking_disable=True, mail_create_nolog=True)
        employees = Employee.create([{
            "name": user.name, "user_id": self.user_ids[user.index], "company_id": self.company.id,
            "department_id": self.department_ids[user.department]} for user in plan.users])
        employee_of = {user.index: employee.id for user, employee in zip(plan.users, employees, strict=True)}
        for department in plan.departments:
            Department.browse(self.department_ids[department.index]).manager_id = employee_of[department.head]
        Auditor = env["qms.auditor"].with_context(tracking_disable=True, mail_create_nolog=True)
        qualified = date(plan.start.year - 1, 1, 15)
        auditors = Auditor.create([{
            "user_id": self.user_ids[user.index], "is_lead": user.lead, "date_qualified": qualified,
            "company_id": self.company.id, "training": "ISO 9001 internal auditor, 3 days"} for user in plan.auditors])
        self.auditor_ids = {user.index: auditor.id for user, auditor in zip(plan.auditors, auditors, strict=True)}
        env.flush_all()
        self.commit()
        log(f"organisation: {len(plan.departments)} departments, {len(plan.users)} users, "
            f"{len(plan.auditors)} auditors")

    # ------------------------------------------------------------------ files

    def load_blobs(self):
        """A pool of distinct files in the filestore, referenced by the evidence and revision attachments."""
        rng = random.Random("blobs")
        Attachment = self.env["ir.attachment"]
        self.blobs = []
        for number in range(BLOBS):
            size = int(rng.lognormvariate(11.5, 0.8))  # about 100 KB, a few MB at most
            data = b"%PDF-1.4\n% bench evidence\n" + rng.randbytes(min(size, 4_000_000))
            attachment = Attachment.create({"name": f"bench_blob_{number}.pdf", "raw": data,
                                            "mimetype": "application/pdf", "res_model": "res.company",
                                            "res_id": self.company.id})
            self.blobs.append(attachment.id)
        self.env.flush_all()

    def attach(self, items):
        """ir.attachment rows for (res_model, res_field, res_id, name, day) tuples, each a copy of a pool file's
        row (the filestore file shared, as Odoo shares identical contents); return their ids."""
        by_blob = {}
        for item in items:
            by_blob.setdefault(self.rng.choice(self.blobs), []).append(item)
        ids = {}
        for blob, chunk in by_blob.items():
            created = bulk.clone_rows(self.env, "ir_attachment", blob, [
                {"res_model": model, "res_field": field, "res_id": res_id, "name": name,
                 "create_date": at(day), "write_date": at(day)} for model, field, res_id, name, day in chunk])
            ids.update(zip(chunk, created, strict=True))
        return [ids[item] for item in items]

    def take_numbers(self, sequence, count):
        """The first of `count` numbers of `sequence`, moved past them as `count` creates would move it (not in
        the harness's test: a sequence moves outside the test's transaction)."""
        first = sequence.number_next_actual
        if self.advance_sequences:
            sequence.write({"number_next": first + count})
        return first

    # ------------------------------------------------------------------ documents

    def load_documents(self):
        env, plan = self.env, self.plan
        numbers = {}
        for tier in {document.tier for document in plan.documents}:
            count = sum(1 for document in plan.documents if document.tier == tier)
            sequence = env["ir.sequence"].search([("code", "=", f"qms.document.{tier}"),
                                                  ("company_id", "in", [self.company.id, False])],
                                                 order="company_id", limit=1)
            first = self.take_numbers(sequence, count)
            numbers[tier] = iter(range(first, first + count))
            numbers[tier, "sequence"] = sequence
        tier_order = ["manual", "procedure", "instruction", "form", "record", "external"]
        doc_ids = bulk.reserve_ids(env, "qms_document", len(plan.documents))
        revisions, revision_docs = [], []
        for document, doc_id in zip(plan.documents, doc_ids, strict=True):
            sequence = numbers[document.tier, "sequence"]
            document.code_number = next(numbers[document.tier])
            document.code = sequence.get_next_char(document.code_number)
            for revision in document.revisions:
                revisions.append(revision)
                revision_docs.append((document, doc_id))
        revision_ids = bulk.reserve_ids(env, "qms_document_revision", len(revisions))
        current = {}
        for revision, rev_id, (document, _doc_id) in zip(revisions, revision_ids, revision_docs, strict=True):
            revision.id = rev_id
            if revision.state == "effective":
                current[document.index] = (rev_id, revision.effective_date)
        docs = []
        for document, doc_id in zip(plan.documents, doc_ids, strict=True):
            document.id = doc_id
            rev_id, effective = current.get(document.index, (None, None))
            created = document.revisions[0].date_submitted or (self.now - timedelta(days=30))
            docs.append({
                "code": document.code, "name": document.title, "tier": document.tier,
                "tier_sequence": tier_order.index(document.tier), "company_id": self.company.id,
                "department_id": self.department_ids[document.department],
                "owner_id": self.user_ids[document.owner],
                "current_revision_id": None,  # set once the revisions are in
                "effective_date": effective, "state": document.state, "review_interval_months": 12,
                "date_deadline": document.date_deadline, "escalation_level": document.escalation_level,
                "last_review_date": document.last_review_date,
                "is_review_overdue": document.escalation_level >= 2,
                "retention_years": document.retention, "disposition": "archive" if document.retention else None,
                "withdrawal_reason": "Replaced by a new regulation." if document.state == "obsolete" else None,
                "create_uid": self.user_ids[document.owner], "create_date": created,
            })
        bulk.insert(env, "qms.document", docs, ids=doc_ids, now=self.now)
        rows = []
        for revision, (document, doc_id) in zip(revisions, revision_docs, strict=True):
            created = revision.date_submitted or self.now - timedelta(days=10)
            rows.append({
                "document_id": doc_id, "name": revision_label(revision.label), "tier": document.tier,
                "company_id": self.company.id,
                "department_id": self.department_ids[document.department], "state": revision.state,
                "body": f"<p>{document.title}: purpose, scope, responsibilities, steps, records.</p>",
                "file_name": f"{document.code}_{revision.label}.pdf" if revision.has_file else None,
                "change_summary": "First issue." if revision.label == 1 else "Updated after the last audit.",
                "author_id": self.user_ids[revision.author], "approver_id": self.user_ids[revision.approver],
                "date_submitted": revision.date_submitted, "date_approved": revision.date_approved,
                "effective_date": revision.effective_date, "date_superseded": revision.date_superseded,
                "create_uid": self.user_ids[revision.author], "create_date": created,
            })
        bulk.insert(env, "qms.document.revision", rows, ids=revision_ids, now=self.now)
        # the revisions refer to their documents and the documents to their revision in force
        bulk.set_column(env, "qms_document", "current_revision_id", [
            (document.id, current[document.index][0]) for document in plan.documents if document.index in current])
        # a binary field's attachment is named after the field, as the ORM names it
        files = [("qms.document.revision", "file", revision.id, "file", revision.effective_date)
                 for revision, (document, _doc_id) in zip(revisions, revision_docs, strict=True) if revision.has_file]
        self.attach(files)
        self.commit()
        log(f"documents: {len(docs)} documents, {len(rows)} revisions, {len(files)} files")

    # ------------------------------------------------------------------ audits

    def load_programmes(self):
        env, plan = self.env, self.plan
        Programme = env["qms.audit.programme"].with_context(tracking_disable=True, mail_create_nolog=True)
        self.programme_ids, self.programme_line_ids = {}, {}
        rng = random.Random("programmes")
        for year in range(plan.start.year, plan.today.year + 1):
            lines = [(0, 0, {"department_id": self.department_ids[d.index],
                             "risk_level": rng.choice(["low", "medium", "medium", "high"])}) for d in plan.departments]
            programme = Programme.search([("company_id", "=", self.company.id), ("year", "=", year)], limit=1)
            if programme:  # a database with a programme already (the tests' demo): the departments join it
                programme.with_context(qms_transition=TRANSITION).write({"line_ids": lines})
                self.programme_ids[year] = programme.id
                for line in programme.line_ids:
                    self.programme_line_ids[year, line.department_id.id] = line.id
                continue
            programme = Programme.create({
                "year": year, "company_id": self.company.id, "manager_id": self.user_ids[plan.manager.index],
                "objectives": "Check that every department keeps its time limits and follows its procedures.",
                "line_ids": lines,
            })
            self.programme_ids[year] = programme.id
            for line in programme.line_ids:
                self.programme_line_ids[year, line.department_id.id] = line.id
            approved = date(year - 1, 12, 15)
            programme.with_context(qms_transition=TRANSITION).write({
                "state": "closed" if year < plan.today.year else "approved",
                "approved_by_id": self.user_ids[plan.manager.index], "date_approved": approved})
        env.flush_all()

    def load_audits(self):
        env, plan = self.env, self.plan
        sequence = env["qms.audit"]._qms_company_sequence(self.company)
        first = self.take_numbers(sequence, len(plan.audits))
        audit_ids = bulk.reserve_ids(env, "qms_audit", len(plan.audits))
        rows = []
        # numbered in the year of the audit (the sequence's date field)
        names = sequence_names(sequence, first, [audit.date_start for audit in plan.audits])
        for audit, audit_id, name in zip(plan.audits, audit_ids, names, strict=True):
            audit.id = audit_id
            audit.name = name
            departments = [self.department_ids[d] for d in audit.departments]
            rows.append({
                "name": name, "audit_type": "internal", "company_id": self.company.id,
                "programme_id": self.programme_ids[audit.year],
                "programme_line_id": self.programme_line_ids.get((audit.year, departments[0])),
                "objectives": "Check that the time limits are kept and the procedures followed.",
                "department_ids": departments, "clause_ids": audit.clauses,
                "lead_auditor_id": self.auditor_ids[audit.lead],
                "team_ids": [self.auditor_ids[user] for user in audit.team],
                "auditee_ids": [self.user_ids[user] for user in audit.auditees],
                "date_start": audit.date_start, "date_end": audit.date_end, "date_deadline": audit.date_start,
                "escalation_level": audit.escalation_level, "date_notified": audit.date_notified,
                "state": audit.state, "report_state": audit.report_state,
                "report_approved_by_id": self.user_ids[audit.lead] if audit.report_state == "final" else None,
                "date_report_approved": audit.date_report_approved,
                "conclusions": "<p>The department follows its procedures; see the findings.</p>"
                if audit.state in ("reported", "closed") else None,
                "cancel_reason": "Department reorganised." if audit.state == "cancelled" else None,
                "create_uid": self.user_ids[plan.manager.index],
                "create_date": at(date(audit.year - 1, 12, 20)),
            })
        bulk.insert(env, "qms.audit", rows, ids=audit_ids, now=self.now)
        self.load_audit_reports()
        lines, line_refs = [], []
        for audit in plan.audits:
            for number, line in enumerate(audit.lines):
                lines.append({
                    "audit_id": audit.id, "company_id": self.company.id, "sequence": line.sequence,
                    "department_id": self.department_ids[line.department], "clause_id": line.clause,
                    "question": line.question, "result": line.result, "evidence": line.evidence,
                    "create_uid": self.user_ids[audit.lead], "create_date": at(audit.date_start, 10),
                })
                line_refs.append((audit, number))
        line_ids = bulk.insert(env, "qms.audit.line", lines, now=self.now)
        for (audit, number), line_id in zip(line_refs, line_ids, strict=True):
            audit.lines[number].id = line_id
        self.commit()
        log(f"audits: {len(rows)} audits, {len(lines)} checklist lines")

    def load_audit_reports(self):
        """The final report PDF stored on each audit at its approval (Approve Report freezes it), as the
        evidence pack copies it."""
        final = [audit for audit in self.plan.audits if audit.report_state == "final"]
        if not final:
            return
        reports = self.attach([("qms.audit", None, audit.id, f"{audit.name}_report.pdf", audit.date_end)
                               for audit in final])
        self.env.cr.execute(
            "UPDATE qms_audit SET report_attachment_id = data.attachment_id"
            " FROM unnest(%s::int[], %s::int[]) AS data(audit_id, attachment_id) WHERE qms_audit.id = data.audit_id",
            [[audit.id for audit in final], reports])
        bulk.insert_pairs(self.env, "qms_audit_report_attachment_rel", "audit_id", "attachment_id",
                          list(zip([audit.id for audit in final], reports, strict=True)))

    # ------------------------------------------------------------------ CAPA

    def load_capa(self):
        env, plan = self.env, self.plan
        sequence = env["qms.nonconformity"]._qms_company_sequence(self.company)
        first = self.take_numbers(sequence, len(plan.ncs))
        # numbered on the day each was reported (the year in the reference is the year of its creation)
        names = sequence_names(sequence, first, [nc.date_detected for nc in plan.ncs])
        nc_ids = bulk.reserve_ids(env, "qms_nonconformity", len(plan.ncs))
        finding_ids = bulk.reserve_ids(env, "qms_audit_finding", len(plan.findings))
        for finding, finding_id in zip(plan.findings, finding_ids, strict=True):
            finding.id = finding_id
        rows = []
        for nc, nc_id, name in zip(plan.ncs, nc_ids, names, strict=True):
            nc.id = nc_id
            nc.name = name
            finding = plan.findings[nc.finding] if nc.finding is not None else None
            if finding is not None:
                finding.nc = nc_id
            containment = nc.containment or (None, None, None)
            closed = nc.date_closed
            rows.append({
                "name": nc.name, "title": nc.title,
                "description": f"<p>{nc.title}: found during the daily work of the department.</p>",
                "source": nc.source, "origin_model": "qms.audit.finding" if finding else None,
                "origin_id": finding.id if finding else None, "company_id": self.company.id,
                "department_id": self.department_ids[nc.department], "owner_id": self.user_ids[nc.owner],
                "severity": nc.severity, "reported_by_id": self.user_ids[nc.reporter],
                "date_detected": nc.date_detected, "path": nc.path, "state": nc.state,
                "containment_description": containment[2],
                "containment_by_id": self.user_ids[containment[0]] if containment[0] is not None else None,
                "containment_date": containment[1], "rca_method": "five_whys", "root_cause": nc.root_cause,
                "is_recurrence": nc.is_recurrence, "recurrence_count": nc.recurrence_count, "current_round": 1,
                "time_limit_rule_id": nc.rule[0] if nc.rule and nc.deadline else None,
                "date_deadline": nc.deadline, "date_reply_due": nc.date_reply_due,
                "date_action_plan_due": nc.date_action_plan_due,
                "closed_by_id": self.user_ids[nc.closed_by] if nc.closed_by is not None else None,
                "date_closed": closed,
                "closed_on_time": bool(closed and (not nc.deadline or closed <= nc.deadline)),
                "days_to_close": (closed - nc.date_detected).days if closed else 0,
                "cancel_reason": nc.cancel_reason, "reopen_count": 0,
                "escalation_level": nc.escalation_level, "is_supervised": bool(nc.date_supervised),
                "date_overdue": nc.date_overdue, "date_supervised": nc.date_supervised,
                "clause_ids": nc.clauses,
                "create_uid": self.user_ids[nc.reporter], "create_date": at(nc.date_detected, 10),
            })
        bulk.insert(env, "qms.nonconformity", rows, ids=nc_ids, now=self.now)
        self.commit()
        log(f"nonconformities: {len(rows)}")
        actions = []
        for action in plan.actions:
            nc = plan.ncs[action.nc] if action.nc is not None else None
            original = action.extension or action.deadline
            actions.append({
                "name": action.name, "description": "What is to be done, by whom, and how it is checked.",
                "action_type": action.action_type, "nonconformity_id": nc.id if nc else None, "round": 1,
                "company_id": self.company.id, "department_id": self.department_ids[action.department],
                "owner_id": self.user_ids[action.owner], "date_deadline": action.deadline,
                "original_deadline": original, "state": action.state, "evidence_note": action.evidence,
                "date_done": action.date_done,
                "extension_state": "approved" if action.extension else "none",
                "extension_date": action.deadline if action.extension else None,
                "extension_reason": "Waiting for the new form from the printer." if action.extension else None,
                "escalation_level": action.escalation_level, "is_supervised": bool(action.date_supervised),
                "date_overdue": action.date_overdue, "date_supervised": action.date_supervised,
                "create_uid": self.user_ids[plan.departments[action.department].head],
                "create_date": at(action.created, 11),
            })
        action_ids = bulk.insert(env, "qms.action", actions, now=self.now)
        for action, action_id in zip(plan.actions, action_ids, strict=True):
            action.id = action_id
            if action.finding is not None:
                plan.findings[action.finding].action = action_id
        self.commit()
        log(f"actions: {len(actions)}")
        # raised findings have a confirmed statement (where findings have one)
        confirmed = {"state": "confirmed"} if "state" in env["qms.audit.finding"]._fields else {}
        findings = [{
            "audit_id": plan.audits[finding.audit].id, "company_id": self.company.id,
            "line_id": plan.audits[finding.audit].lines[finding.line].id,
            "department_id": self.department_ids[finding.department], "classification": finding.classification,
            "criterion": finding.criterion, "evidence": finding.evidence, "statement": finding.statement,
            "nonconformity_id": finding.nc, "action_id": finding.action, **confirmed,
            "create_uid": self.user_ids[plan.audits[finding.audit].lead], "create_date": at(finding.date_raised),
        } for finding in plan.findings]
        bulk.insert(env, "qms.audit.finding", findings, ids=finding_ids, now=self.now)
        bulk.set_column(env, "qms_audit_line", "finding_id", [
            (plan.audits[finding.audit].lines[finding.line].id, finding.id) for finding in plan.findings])
        checks = [{
            "nonconformity_id": plan.ncs[check.nc].id, "company_id": self.company.id,
            "department_id": self.department_ids[plan.ncs[check.nc].department], "round": 1,
            "date_due": check.date_due, "checker_id": self.user_ids[check.checker] if check.checker is not None
            else None, "state": check.state, "evidence_note": check.evidence, "date_checked": check.date_checked,
            "create_uid": self.user_ids[plan.departments[plan.ncs[check.nc].department].head],
            "create_date": at(check.date_due - timedelta(days=30)),
        } for check in plan.checks]
        bulk.insert(env, "qms.effectiveness.check", checks, now=self.now)
        # the proof attached to the nonconformities closed with a correction only (closing needs it)
        proofs = [nc for nc in plan.ncs if nc.state == "closed" and nc.path == "correction"]
        attachment_ids = self.attach([("qms.nonconformity", None, nc.id, f"proof_{nc.name}.pdf", nc.date_closed)
                                      for nc in proofs])
        bulk.insert_pairs(env, "qms_nonconformity_evidence_rel", "nonconformity_id", "attachment_id",
                          [(nc.id, attachment_id) for nc, attachment_id in zip(proofs, attachment_ids, strict=True)])
        self.commit()
        log(f"findings: {len(findings)}, effectiveness checks: {len(checks)}, evidence files: {len(proofs)}")

    # ------------------------------------------------------------------ to-dos of open items (ORM)

    def load_activities(self):
        """The to-dos the workflow and the ladder leave on open items: the owner's action to-do, the reminder,
        the overdue notice to the head, the supervised-item notice to the level above."""
        env, plan = self.env, self.plan
        todo = []
        for action in plan.actions:
            if action.state == "open":
                nc_state = plan.ncs[action.nc].state if action.nc is not None else "action"
                if nc_state == "action":
                    todo.append(("qms.action", action.id, action.owner, "Carry out the action", action.deadline))
                todo += self._ladder_todos("qms.action", action.id, action, action.owner, action.department)
        for nc in plan.ncs:
            if nc.state not in ("closed", "cancelled", "new"):
                todo += self._ladder_todos("qms.nonconformity", nc.id, nc, nc.owner, nc.department)
        Activity = env["mail.activity"].sudo().with_context(mail_activity_quick_update=True, mail_notrack=True)
        todo_type = env.ref("mail.mail_activity_data_todo").id
        models = {name: env["ir.model"]._get_id(name) for name in ("qms.action", "qms.nonconformity")}
        for start in range(0, len(todo), 2000):
            Activity.create([{
                "res_model_id": models[model], "res_id": res_id, "user_id": self.user_ids[user],
                "activity_type_id": todo_type, "summary": summary, "date_deadline": deadline, "automated": True,
            } for model, res_id, user, summary, deadline in todo[start:start + 2000]])
            env.flush_all()
            self.commit()
        log(f"to-dos of open items: {len(todo)}")

    def _ladder_todos(self, model, res_id, item, owner, department_index):
        plan = self.plan
        department = plan.departments[department_index]
        deadline = item.deadline if hasattr(item, "deadline") else None
        todos = []
        if item.escalation_level >= 1:
            todos.append((model, res_id, owner, "Deadline approaching", deadline))
        if item.escalation_level >= 2:
            todos.append((model, res_id, department.head, "Overdue item", item.date_overdue))
        if item.escalation_level >= 3 and department.parent is not None:
            todos.append((model, res_id, plan.departments[department.parent].head, "Supervised item (挂牌督办)",
                          item.date_supervised))
        return todos

    # ------------------------------------------------------------------ management reviews (ORM)

    def load_reviews(self):
        env, plan = self.env, self.plan
        Review = env["qms.management.review"].with_context(tracking_disable=True, mail_create_nolog=True)
        chair = self.user_ids[plan.manager.index]
        previous = Review.browse()
        for year in range(plan.start.year, plan.today.year):
            review = Review.create({
                "date_from": date(year, 1, 1), "date_to": date(year, 12, 31), "chair_id": chair,
                "previous_review_id": previous.id, "company_id": self.company.id,
                "date_meeting": datetime(year + 1, 1, 20, 9), "title": f"Management Review {year}",
            })
            review.with_context(qms_transition=TRANSITION).write({
                "state": "closed", "date_held": date(year + 1, 1, 20), "date_closed": date(year + 1, 1, 25),
                "closed_by_id": chair, "conclusion": "The QMS is suitable, adequate and effective."})
            previous = review
        env.flush_all()

    # ------------------------------------------------------------------ facts for the operations

    def facts(self):
        plan = self.plan
        chosen = choose_facts(plan)
        return {
            "scale": plan.scale.name, "today": plan.today.isoformat(),
            "head_login": self.login(chosen["head_user"]),
            "head_department_id": self.department_ids[chosen["head_department"]],
            "manager_login": self.login(plan.manager.index),
            "overdue_login": self.login(chosen["overdue_user"]), "overdue_count": chosen["overdue_count"],
            "programme_id": self.programme_ids[plan.today.year], "programme_audits": chosen["programme_audits"],
            "pack_department_id": self.department_ids[chosen["pack_department"]], "pack_year": chosen["pack_year"],
            "report_audit_id": plan.audits[chosen["report_audit"]].id,
            "department_ids": [self.department_ids[d.index] for d in plan.departments],
            "staff_logins": [self.login(u.index) for u in plan.users if u.role in ("staff", "auditor")],
        }

    def login(self, user_index):
        return f"{self.prefix.lower()}.{self.plan.users[user_index].login}"

    # ------------------------------------------------------------------ everything

    def load(self, verify=True):
        self.load_organisation()
        self.load_blobs()
        self.load_documents()
        self.load_programmes()
        self.load_audits()
        self.load_capa()
        self.load_activities()
        self.load_reviews()
        self.env.flush_all()
        problems = self.verify() if verify else []
        self.commit()
        return problems

    def verify(self, sample=300):
        """Read a sample of each bulk-loaded model back through the ORM (recomputed fields, constraints)."""
        plan, rng = self.plan, random.Random("verify")
        samples = {
            "qms.document": [d.id for d in plan.documents],
            "qms.document.revision": [r.id for d in plan.documents for r in d.revisions],
            "qms.audit": [a.id for a in plan.audits],
            "qms.audit.line": [line.id for a in plan.audits for line in a.lines],
            "qms.audit.finding": [f.id for f in plan.findings],
            "qms.nonconformity": [nc.id for nc in plan.ncs],
            "qms.action": [a.id for a in plan.actions],
        }
        problems = []
        for model, ids in samples.items():
            chosen = rng.sample(ids, min(sample, len(ids)))
            problems += bulk.verify_sample(self.env, model, chosen)
        checks = self.env["qms.effectiveness.check"].search([("nonconformity_id", "in", samples["qms.nonconformity"]
                                                              [:2000])], limit=sample)
        problems += bulk.verify_sample(self.env, "qms.effectiveness.check", checks.ids)
        return problems
