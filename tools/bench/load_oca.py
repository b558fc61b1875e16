"""Loads the same plan into OCA's management-system addons (mgmtsystem_nonconformity, _action, _audit).

Our fields mapped to theirs:
- a department is the NC's *partner* (OCA has no department): one company partner per department;
- the NC's owner is its *responsible*, the QMS office head its *manager*, the reporter *filled in by*;
- source -> origin, severity -> severity, our states -> their stages (new: draft, triaged and analysis:
  analysis, action and verification: in progress, closed: closed, cancelled: cancelled), the root cause ->
  analysis, the NC's actions -> its action_ids;
- an action: owner -> responsible, type (correction and corrective: corrective, preventive: preventive,
  improvement: improvement), open -> in progress (draft while its NC is not under way), done and verified
  -> closed, cancelled -> cancelled, with the dates of opening and closing;
- an audit: lead auditor -> audit manager, team -> auditors, heads -> auditees, closed -> closed (other
  states open), its NCs and improvement actions; the checklist lines -> verification lines (conforming
  when the result is conforming or not applicable).
Stored computed fields are computed as OCA computes them (bulk.verify_sample checks a sample).
"""

import random
from datetime import date, datetime, time, timedelta

from . import bulk
from .plan import choose_facts

STAGES = {"new": "stage_draft", "triaged": "stage_analysis", "analysis": "stage_analysis", "action": "stage_open",
          "verification": "stage_open", "reopened": "stage_open", "closed": "stage_done",
          "cancelled": "stage_cancel"}
STATE_OF_STAGE = {"stage_draft": "draft", "stage_analysis": "analysis", "stage_pending": "pending",
                  "stage_open": "open", "stage_done": "done", "stage_cancel": "cancel"}
ORIGINS = {"internal_audit": "nc_origin_internal_audit", "external_audit": "nc_origin_extenal_audit",
           "complaint": "nc_origin_external_client", "supervision": "nc_origin_extenal_audit",
           "indicator": "nc_origin_process", "management_review": "nc_origin_dr", "self_reported": "nc_origin_process"}
ACTION_TYPES = {"correction": "correction", "corrective": "correction", "preventive": "prevention",
                "improvement": "improvement"}


def log(message):
    print(f"bench: {message}", flush=True)


def at(day, hour=9):
    return datetime.combine(day, time(hour, 0)) if day else None


def sequence_names(sequence, first, days):
    """What ``sequence.next_by_id()`` gives on each of `days` from the number `first` on (prefix and suffix read
    once per year, as they depend on the date only)."""
    affixes = {}
    names = []
    for number, day in enumerate(days, start=first):
        if day.year not in affixes:
            affixes[day.year] = sequence.with_context(ir_sequence_date=str(day))._get_prefix_suffix()
        prefix, suffix = affixes[day.year]
        names.append(f"{prefix}{number:0{sequence.padding}d}{suffix}")
    return names


def elapsed(first, second):
    return (second - first).days if first and second else 0


class OcaLoader:
    def __init__(self, env, plan, commit=lambda: None, prefix="BN"):
        self.env, self.plan, self.commit, self.prefix = env, plan, commit, prefix
        self.company = env.company
        self.now = datetime.now().replace(microsecond=0)

    def ref(self, xmlid):
        return self.env.ref(xmlid).id

    def load_organisation(self):
        env, plan = self.env, self.plan
        partners = env["res.partner"].with_context(tracking_disable=True).create([
            {"name": d.name, "is_company": True} for d in plan.departments])
        self.partner_ids = {d.index: p.id for d, p in zip(plan.departments, partners, strict=True)}
        group_user = self.ref("base.group_user")
        groups = {"manager": self.ref("mgmtsystem.group_mgmtsystem_manager"),
                  "head": self.ref("mgmtsystem.group_mgmtsystem_user_manager"),
                  "auditor": self.ref("mgmtsystem.group_mgmtsystem_auditor"),
                  "staff": self.ref("mgmtsystem.group_mgmtsystem_user")}
        Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True, mail_create_nolog=True)
        self.user_ids = {}
        for start in range(0, len(plan.users), 200):
            chunk = plan.users[start:start + 200]
            users = Users.create([{
                "name": user.name, "login": f"{self.prefix.lower()}.{user.login}",
                "email": f"{user.login}@city.example",
                "company_id": self.company.id, "company_ids": [(6, 0, [self.company.id])],
                "group_ids": [(6, 0, [group_user, groups[user.role]])]} for user in chunk])
            self.user_ids.update({user.index: rec.id for user, rec in zip(chunk, users, strict=True)})
        env.flush_all()
        self.commit()
        log(f"OCA organisation: {len(plan.departments)} partners, {len(plan.users)} users")

    def numbers(self, code, days):
        """References of OCA's sequence `code`, one per day of `days` (the day the record was created)."""
        sequence = self.env["ir.sequence"].search([("code", "=", code)], limit=1)
        first = sequence.number_next_actual
        sequence.write({"number_next": first + len(days)})
        return sequence_names(sequence, first, days)

    def load(self, verify=True):
        env, plan = self.env, self.plan
        self.load_organisation()
        stage = {key: self.ref(f"mgmtsystem_nonconformity.{key}") for key in STATE_OF_STAGE}
        severity = {"major": self.ref("mgmtsystem_nonconformity.nonconformity_severity_maj"),
                    "minor": self.ref("mgmtsystem_nonconformity.nonconformity_severity_min")}
        origins = {source: self.ref(f"mgmtsystem_nonconformity.{xmlid}") for source, xmlid in ORIGINS.items()}
        manager = self.user_ids[plan.manager.index]
        action_stage = {key: self.ref(f"mgmtsystem_action.stage_{key}") for key in ("draft", "open", "close",
                                                                                    "cancel")}
        # actions first: the NCs list theirs
        action_refs = self.numbers("mgmtsystem.action", [action.created for action in plan.actions])
        action_rows = []
        for action, reference in zip(plan.actions, action_refs, strict=True):
            nc = plan.ncs[action.nc] if action.nc is not None else None
            created = at(action.created, 11)
            if action.state in ("done", "verified"):
                key = "close"
            elif action.state == "cancelled":
                key = "cancel"
            else:
                key = "open" if nc is None or nc.state in ("action", "verification") else "draft"
            opened = created + timedelta(hours=1) if key != "draft" else None
            closed = at(action.date_done, 16) if key == "close" else None
            action_rows.append({
                "name": action.name, "company_id": self.company.id, "active": True, "priority": "0", "sequence": 10,
                "date_deadline": action.deadline, "date_open": opened, "date_closed": closed,
                "number_of_days_to_open": elapsed(opened, created), "number_of_days_to_close": elapsed(closed, created),
                "reference": reference, "user_id": self.user_ids[action.owner],
                "description": "<p>What is to be done, by whom, and how it is checked.</p>",
                "type_action": ACTION_TYPES[action.action_type], "stage_id": action_stage[key],
                "create_uid": self.user_ids[plan.departments[action.department].head], "create_date": created,
                "write_date": closed or opened or created,
            })
        action_ids = bulk.insert(env, "mgmtsystem.action", action_rows, now=self.now)
        self.commit()
        log(f"OCA actions: {len(action_ids)}")
        by_nc = {}
        for action, action_id in zip(plan.actions, action_ids, strict=True):
            if action.nc is not None:
                by_nc.setdefault(action.nc, []).append(action_id)
        nc_refs = self.numbers("mgmtsystem.nonconformity", [nc.date_detected for nc in plan.ncs])
        rows = []
        for nc, reference in zip(plan.ncs, nc_refs, strict=True):
            key = STAGES[nc.state]
            created = at(nc.date_detected, 10)
            closing = at(nc.date_closed, 16) if nc.state == "closed" else None
            written = closing or created
            rows.append({
                "name": nc.title, "ref": reference, "number_of_nonconformities": 1,
                "days_since_updated": elapsed(created, written), "number_of_days_to_close": elapsed(created, closing),
                "closing_date": closing, "partner_id": self.partner_ids[nc.department], "reference": "",
                "responsible_user_id": self.user_ids[nc.owner], "manager_user_id": manager,
                "user_id": self.user_ids[nc.reporter], "origin_ids": [origins[nc.source]],
                "description": f"{nc.title}: found during the daily work of the department.",
                "stage_id": stage[key], "state": STATE_OF_STAGE[key], "kanban_state": "normal",
                "severity_id": severity[nc.severity], "analysis": nc.root_cause,
                "action_ids": by_nc.get(nc.index, []),
                "action_comments": "Actions planned with the department." if key in ("stage_open", "stage_done")
                else None,
                "evaluation_comments": "The actions are effective." if key == "stage_done" else None,
                "company_id": self.company.id, "create_uid": self.user_ids[nc.reporter], "create_date": created,
                "write_date": written,
            })
        nc_ids = bulk.insert(env, "mgmtsystem.nonconformity", rows, now=self.now)
        self.commit()
        log(f"OCA nonconformities: {len(nc_ids)}")
        nc_of_finding = {nc.finding: nc_id for nc, nc_id in zip(plan.ncs, nc_ids, strict=True)
                         if nc.finding is not None}
        action_of_finding = {action.finding: action_id for action, action_id in zip(plan.actions, action_ids,
                                                                                    strict=True)
                             if action.finding is not None}
        findings_of = {}
        for finding in plan.findings:
            findings_of.setdefault(finding.audit, []).append(finding)
        audit_refs = self.numbers("mgmtsystem.audit", [date(audit.year - 1, 12, 20) for audit in plan.audits])
        audits = []
        for audit, reference in zip(plan.audits, audit_refs, strict=True):
            findings = findings_of.get(audit.index, [])
            ncs = [nc_of_finding[f.index] for f in findings if f.index in nc_of_finding]
            opportunities = [action_of_finding[f.index] for f in findings if f.index in action_of_finding]
            created = at(date(audit.year - 1, 12, 20))
            closing = at(audit.date_report_approved, 17) if audit.state == "closed" else None
            written = closing or created
            audits.append({
                "name": f"Audit of {', '.join(plan.departments[d].name for d in audit.departments)}",
                "reference": reference, "date": at(audit.date_start), "number_of_audits": 1,
                "number_of_nonconformities": len(ncs), "number_of_questions_in_verification_list": len(audit.lines),
                "number_of_improvements_opportunity": len(opportunities),
                "days_since_last_update": elapsed(created, written), "closing_date": closing,
                "number_of_days_to_close": elapsed(created, closing), "user_id": self.user_ids[audit.lead],
                "auditor_user_ids": [self.user_ids[u] for u in audit.team],
                "auditee_user_ids": [self.user_ids[u] for u in audit.auditees],
                "strong_points": "<p>Files complete and on time.</p>" if audit.state in ("reported", "closed")
                else None,
                "imp_opp_ids": opportunities, "nonconformity_ids": ncs,
                "state": "done" if audit.state == "closed" else "open", "company_id": self.company.id,
                "create_uid": self.user_ids[plan.manager.index], "create_date": created, "write_date": written,
            })
        audit_ids = self._insert_audits(audits)
        lines = [{
            "name": line.question, "audit_id": audit_id, "is_conformed": line.result in ("conforming", "na"),
            "comments": line.evidence, "seq": line.sequence, "company_id": self.company.id,
            "create_uid": self.user_ids[audit.lead], "create_date": at(audit.date_start, 10),
        } for audit, audit_id in zip(plan.audits, audit_ids, strict=True) for line in audit.lines]
        bulk.insert(env, "mgmtsystem.verification.line", lines, now=self.now)
        env.flush_all()
        self.commit()
        log(f"OCA audits: {len(audit_ids)}, verification lines: {len(lines)}")
        problems = []
        if verify:
            rng = random.Random("verify-oca")
            for model, ids in (("mgmtsystem.nonconformity", nc_ids), ("mgmtsystem.action", action_ids),
                               ("mgmtsystem.audit", audit_ids)):
                # days_since_updated / days_since_last_update follow write_date, which the recompute itself moves
                problems += bulk.verify_sample(env, model, rng.sample(ids, min(300, len(ids))),
                                               skip=("days_since_updated", "days_since_last_update"))
        self.ids = {"nc": nc_ids, "action": action_ids, "audit": audit_ids}
        return problems

    def _insert_audits(self, audits):
        # the many2many columns of OCA's auditors and auditees are named the other way round: bulk.insert reads
        # them from the fields, as the ORM does
        return bulk.insert(self.env, "mgmtsystem.audit", audits, now=self.now)

    def facts(self):
        """The same people and records as in our database (choose_facts), with this database's ids."""
        plan = self.plan
        chosen = choose_facts(plan)

        def login(index):
            return f"{self.prefix.lower()}.{plan.users[index].login}"

        return {
            "scale": plan.scale.name, "today": plan.today.isoformat(),
            "head_login": login(chosen["head_user"]), "manager_login": login(plan.manager.index),
            "overdue_login": login(chosen["overdue_user"]), "overdue_count": chosen["overdue_count"],
            "report_audit_id": self.ids["audit"][chosen["report_audit"]],
            "partner_ids": [self.partner_ids[d.index] for d in plan.departments],
            "head_user_ids": [self.user_ids[d.head] for d in plan.departments],
            "staff_logins": [login(u.index) for u in plan.users if u.role in ("staff", "auditor")],
        }
