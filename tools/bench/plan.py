"""The benchmark's data, planned once in plain Python and loaded into both databases.

The plan is deterministic (a seeded random generator, the reference day, the company's working days) and
refers to departments and users by index, so that our database and OCA's get the same shape: the same
departments, the same people, the same nonconformities on the same days with the same outcome.

Distributions (five years up to the reference day):
- items skewed by department: the department of rank r gets a share proportional to 1 / r^zipf;
- seasonal peaks (spring and the year-end inspections for nonconformities, spring and autumn for audits),
  growth over the years, few items at weekends;
- most items closed; about 12 % closed late (some of them beyond the supervision step), 3 % cancelled,
  about 1 % stuck open (overdue, most of them supervised); recent items in every state of the workflow;
- the escalation ladder done exactly as the daily job would have done it up to the day before the
  reference day (reminder, overdue, supervised item), so that the job of the reference day has only
  that day's steps to take.
"""

import bisect
import itertools
import math
import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

SOURCES = [("internal_audit", 0.10), ("external_audit", 0.04), ("complaint", 0.30), ("supervision", 0.14),
           ("indicator", 0.06), ("management_review", 0.03), ("self_reported", 0.33)]
NC_MONTHS = [0.8, 0.7, 1.15, 1.25, 1.0, 1.05, 0.8, 0.7, 1.0, 1.15, 1.35, 1.45]
AUDIT_MONTHS = [0.3, 0.6, 1.3, 1.4, 1.3, 1.0, 0.5, 0.4, 1.2, 1.4, 1.4, 0.8]
GROWTH = [0.7, 0.85, 1.0, 1.1, 1.2]  # the oldest year first
TIERS = [("manual", 0.002), ("procedure", 0.15), ("instruction", 0.3), ("form", 0.35), ("record", 0.15),
         ("external", 0.048)]
TIER_PREFIX = {"manual": "QM-", "procedure": "QP-", "instruction": "WI-", "form": "QF-", "record": "QR-",
               "external": "EXT-"}
ACTION_TYPES = [("corrective", 0.6), ("preventive", 0.2), ("correction", 0.15), ("improvement", 0.05)]
LINE_RESULTS = [("conforming", 0.88), ("minor", 0.05), ("major", 0.007), ("observation", 0.03), ("ofi", 0.023),
                ("na", 0.01)]
TOPICS = ["counter service", "licence file", "inspection record", "complaint reply", "fee collection", "archive",
          "time limit", "approval step", "notice", "training record", "equipment check", "data entry",
          "site visit", "public information", "contract file", "subsidy payment", "permit renewal", "hotline ticket"]
PROBLEMS = ["incomplete", "late", "missing signature", "wrong form used", "not recorded", "not reviewed",
            "outdated version", "inconsistent with the procedure", "not filed", "missing evidence"]


class Item:
    """A planned record: attributes set by the planner (no fixed schema, so that a plan pickles small)."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __repr__(self):
        return f"Item({self.__dict__!r})"


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


class DaySampler:
    """Days between two dates drawn with weights (season, growth, weekday)."""

    def __init__(self, rng, start, stop, weight):
        self.rng = rng
        self.days = [start + timedelta(days=n) for n in range((stop - start).days + 1)]
        self.cum = list(itertools.accumulate(weight(day) for day in self.days))

    def __call__(self):
        return self.days[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


class Planner:
    """Plans the whole data set. `calendar` gives working days (``add(day, n)``, ``is_working(day)``),
    `rules` the time limit of a source and severity (``rules(source, severity)`` -> (rule id, reply days,
    action plan days, close days) or None), `clauses` the applicable leaf clauses as (id, code, question),
    `settings` the company's ladder settings (reminder_days, supervise_days, notice_days, effectiveness days)."""

    def __init__(self, scale, today, calendar, rules, clauses, settings, seed=2026):
        self.scale, self.today, self.wd, self.rules = scale, today, calendar, rules
        self.clauses, self.settings = clauses, settings
        self.rng = random.Random(f"{seed}-{scale.name}")
        self.yesterday = today - timedelta(days=1)
        self.start = date(today.year - scale.years + 1, 1, 1)

    # ------------------------------------------------------------------ helpers

    def ladder(self, deadline, until):
        """(escalation_level, date_overdue, date_supervised) of a supervised item whose steps were taken up to
        `until` included (the daily job's last run), as the ladder of qms.supervision.mixin."""
        steps = [self.wd.add(deadline, -self.settings["reminder_days"]), deadline,
                 self.wd.add(deadline, self.settings["supervise_days"])]
        level = sum(1 for step in steps if step <= until)
        return level, (deadline if level >= 2 else None), (steps[2] if level >= 3 else None)

    def zipf_weights(self, count):
        ranks = list(range(1, count + 1))
        self.rng.shuffle(ranks)
        return [1.0 / rank ** self.scale.zipf for rank in ranks]

    def text(self):
        return f"{self.rng.choice(TOPICS).capitalize()} {self.rng.choice(PROBLEMS)}"

    # ------------------------------------------------------------------ organisation

    def plan_organisation(self):
        scale, rng = self.scale, self.rng
        bureaus = max(2, round(scale.departments ** 0.5))
        departments = [Item(index=0, name="City QMS Office", code="QMSO", parent=None)]
        for n in range(1, scale.departments):
            parent = 0 if n <= bureaus else rng.randint(1, bureaus)
            kind = "Bureau" if parent == 0 else "Section"
            departments.append(Item(index=n, name=f"{kind} {n:03d}", code=f"D{n:03d}", parent=parent))
        users = []
        for department in departments:
            department.head = len(users)
            users.append(Item(index=len(users), login=f"bench.head.{department.code.lower()}",
                              name=f"Head of {department.name}", department=department.index,
                              role="manager" if department.index == 0 else "head"))
            department.staff = []
            for n in range(scale.staff_per_department):
                department.staff.append(len(users))
                users.append(Item(index=len(users), login=f"bench.staff.{department.code.lower()}.{n + 1}",
                                  name=f"Staff {n + 1} of {department.name}", department=department.index,
                                  role="staff"))
        staff = [user for user in users if user.role == "staff"]
        auditors = rng.sample(staff, max(4, len(staff) // 8))
        for number, user in enumerate(auditors):
            user.role = "auditor"
            user.lead = number % 2 == 0
        self.departments, self.users = departments, users
        self.auditors = auditors
        self.department_weights = self.zipf_weights(len(departments))
        self.manager = users[departments[0].head]

    def department(self):
        return self.rng.choices(self.departments, self.department_weights)[0]

    def staff_of(self, department):
        return self.users[self.rng.choice(department.staff)] if department.staff else self.users[department.head]

    def parents(self, department):
        chain = []
        while department.parent is not None:
            department = self.departments[department.parent]
            chain.append(department)
        return chain

    # ------------------------------------------------------------------ documents

    def plan_documents(self):
        rng, today = self.rng, self.today
        counters = dict.fromkeys(TIER_PREFIX, 0)
        documents = []
        first_day = today - relativedelta(years=6)
        for index in range(self.scale.documents):
            department = self.department()
            tier = weighted(rng, TIERS)
            counters[tier] += 1
            owner = self.staff_of(department)
            approver = self.users[department.head]
            if approver.index == owner.index:
                approver = self.manager
            kind = rng.random()
            count = 1 + min(3, int(rng.expovariate(1.2)))
            revisions = []
            day = first_day + timedelta(days=rng.randint(0, 5 * 365))
            for number in range(1, count + 1):
                approved = datetime.combine(day, time(rng.randint(1, 9), rng.randint(0, 59)))
                revisions.append(Item(label=number, state="superseded", effective_date=day,
                                      date_approved=approved, date_submitted=approved - timedelta(days=3),
                                      author=owner.index, approver=approver.index, date_superseded=None,
                                      has_file=rng.random() < 0.8))
                next_day = day + timedelta(days=rng.randint(120, 500))
                if next_day >= today - timedelta(days=2):
                    break
                revisions[-1].date_superseded = next_day
                day = next_day
            last = revisions[-1]
            state = "effective"
            if kind < 0.04:  # never approved: a draft document
                revisions = [Item(label=1, state="draft", effective_date=None, date_approved=None,
                                  date_submitted=None, author=owner.index, approver=approver.index,
                                  date_superseded=None, has_file=False)]
                state = "draft"
            elif kind < 0.07:  # withdrawn
                last.state, state = "obsolete", "obsolete"
                last.date_superseded = min(today - timedelta(days=1), last.effective_date + timedelta(days=200))
            else:
                last.state = "effective"
                if kind < 0.10:  # a new revision in the works
                    revisions.append(Item(label=len(revisions) + 1, state="draft", effective_date=None,
                                          date_approved=None, date_submitted=None, author=owner.index,
                                          approver=approver.index, date_superseded=None, has_file=False))
            document = Item(index=index, department=department.index, tier=tier, owner=owner.index,
                            code=f"{TIER_PREFIX[tier]}{counters[tier]:03d}",
                            title=f"{dict(TIERS) and tier.capitalize()} {index + 1}: {self.text()}",
                            revisions=revisions, state=state, date_deadline=None, escalation_level=0,
                            last_review_date=None, retention=5 if tier == "record" else 0)
            if state == "effective":
                review = last.effective_date + relativedelta(months=12)
                while review < today - timedelta(days=60) and rng.random() < 0.93:  # reviewed on time
                    document.last_review_date = review - timedelta(days=rng.randint(0, 20))
                    review += relativedelta(months=12)
                document.date_deadline = review
                steps = [review - timedelta(days=self.settings["review_notice_days"]), review + timedelta(days=1)]
                document.escalation_level = sum(1 for step in steps if step <= self.yesterday)
            documents.append(document)
        self.documents = documents
        self.document_counters = counters

    # ------------------------------------------------------------------ audits

    def plan_audits(self):
        rng, scale = self.rng, self.scale
        per_year = scale.audits / scale.years
        audits, findings = [], []
        notice = self.settings["notice_days"]
        leads = [user for user in self.auditors if user.lead]
        clauses = self.clauses
        for year in range(self.start.year, self.today.year + 1):
            sampler = DaySampler(rng, date(year, 1, 1), date(year, 12, 31),
                                 lambda day: AUDIT_MONTHS[day.month - 1] * self.wd.is_working(day))
            for _n in range(round(per_year)):
                first = self.department()
                departments = [first]
                if rng.random() < 0.15 and len(self.departments) > 2:
                    other = self.department()
                    if other.index != first.index:
                        departments.append(other)
                audited = {department.index for department in departments}
                eligible = [user for user in leads if user.department not in audited
                            and not self._heads(user, audited)]
                lead = rng.choice(eligible or leads)
                team = [user for user in rng.sample(self.auditors, min(2, len(self.auditors)))
                        if user.index != lead.index and user.department not in audited
                        and not self._heads(user, audited)][:rng.randint(0, 2)]
                start = sampler()
                end = self.wd.add(start, rng.choice([0, 0, 0, 1, 2]))
                notice_day = self.wd.add(start, -notice)
                per_department = max(1, scale.lines_per_audit // len(departments))
                chosen = sorted(rng.sample(range(len(clauses)), min(per_department, len(clauses))))
                audit = Item(index=len(audits), year=year, departments=[d.index for d in departments],
                             date_start=start, date_end=end, lead=lead.index, team=[u.index for u in team],
                             clauses=[clauses[c][0] for c in chosen], report_state="draft", date_notified=None,
                             date_report_approved=None, escalation_level=0, lines=[], state="planned",
                             auditees=[department.head for department in departments])
                if notice_day <= self.yesterday:
                    audit.escalation_level = 1
                    audit.date_notified = notice_day
                    audit.state = "notified"
                if start <= self.yesterday:
                    audit.state = "in_progress"
                report_day = self.wd.add(end, rng.randint(2, 8))
                if report_day <= self.yesterday:
                    audit.state = "reported"
                    audit.date_reported = report_day
                    approve_day = self.wd.add(report_day, rng.randint(1, 6))
                    if approve_day <= self.yesterday:
                        audit.report_state, audit.date_report_approved = "final", approve_day
                        if self.wd.add(approve_day, 20) <= self.yesterday and rng.random() < 0.96:
                            audit.state = "closed"
                if audit.state in ("planned", "notified") and rng.random() < 0.02:
                    audit.state = "cancelled"
                answered = audit.state in ("reported", "closed") or (audit.state == "in_progress" and start < end)
                sequence = 0
                for department in departments:
                    for clause_index in chosen:
                        sequence += 1
                        result = weighted(rng, LINE_RESULTS) if answered else None
                        clause_id, code, question = clauses[clause_index]
                        line = Item(department=department.index, clause=clause_id, code=code, question=question,
                                    sequence=sequence, result=result,
                                    evidence=f"Sampled files: {self.text()}" if result else None, finding=None)
                        audit.lines.append(line)
                        if result in ("major", "minor", "observation", "ofi") and audit.state in ("reported",
                                                                                                "closed"):
                            finding = Item(index=len(findings), audit=audit.index, line=len(audit.lines) - 1,
                                           department=department.index, classification=result,
                                           criterion=f"{code} {question[:60]}", evidence=line.evidence,
                                           statement=f"{self.text()} in {self.departments[department.index].name}",
                                           nc=None, action=None, date_raised=audit.date_reported)
                            line.finding = finding.index
                            findings.append(finding)
                audits.append(audit)
        self.audits, self.findings = audits, findings

    def _heads(self, user, department_indexes):
        """Whether `user` heads one of the departments or a department above one of them."""
        for index in department_indexes:
            department = self.departments[index]
            if self.users[department.head].index == user.index:
                return True
            if any(self.users[parent.head].index == user.index for parent in self.parents(department)):
                return True
        return False

    # ------------------------------------------------------------------ nonconformities and actions

    def plan_capa(self):
        rng, scale = self.rng, self.scale
        weight_of_year = {self.start.year + n: GROWTH[n % len(GROWTH)] for n in range(scale.years)}
        sampler = DaySampler(rng, self.start, self.yesterday, lambda day: NC_MONTHS[day.month - 1]
                             * weight_of_year[day.year] * (1.0 if day.weekday() < 5 else 0.08))
        ncs = []
        for finding in self.findings:
            if finding.classification in ("major", "minor"):
                audit = self.audits[finding.audit]
                ncs.append(Item(department=finding.department, date_detected=finding.date_raised,
                                source="internal_audit", severity=finding.classification,
                                reporter=self.audits[finding.audit].lead, finding=finding.index,
                                clauses=[audit.lines[finding.line].clause], title=finding.statement[:120]))
        other_sources = [(source, weight) for source, weight in SOURCES if source != "internal_audit"]
        while len(ncs) < scale.ncs:
            department = self.departments[self.department().index]
            source = weighted(rng, other_sources)
            reporter = self.staff_of(department) if rng.random() < 0.7 else rng.choice(self.auditors)
            ncs.append(Item(department=department.index, date_detected=sampler(), source=source,
                            severity="major" if rng.random() < 0.12 else "minor", reporter=reporter.index,
                            finding=None, clauses=[rng.choice(self.clauses)[0]] if rng.random() < 0.5 else [],
                            title=f"{self.text()} ({department.name})"))
        ncs.sort(key=lambda nc: (nc.date_detected, nc.department))
        for index, nc in enumerate(ncs):
            nc.index = index
            self._plan_nc(nc)
        self.ncs = ncs
        self._plan_actions()

    def _plan_nc(self, nc):
        rng, wd = self.rng, self.wd
        department = self.departments[nc.department]
        nc.owner = department.head
        nc.path = "capa" if nc.severity == "major" or rng.random() < 0.6 else "correction"
        rule = self.rules(nc.source, nc.severity)
        limit = rule[3] if rule else 30
        triage = wd.add(nc.date_detected, rng.choice([0, 0, 1, 1, 2]))
        deadline = wd.add(nc.date_detected, limit)
        outcome = rng.random()
        closing = None
        if outcome < 0.03:
            nc.outcome = "cancelled"
            closing = wd.add(triage, rng.randint(1, 10))
        elif outcome < 0.042:
            nc.outcome = "stuck"
        elif outcome < 0.162:
            nc.outcome = "late"
            closing = wd.add(deadline, max(1, int(rng.expovariate(1 / 6))))
        else:
            nc.outcome = "on_time"
            closing = wd.add(nc.date_detected, rng.randint(max(1, math.ceil(0.3 * limit)), limit))
        nc.date_closed = nc.closed_by = None
        nc.rule = rule
        nc.date_reply_due = nc.date_action_plan_due = None
        nc.deadline = nc.limit_day = None
        nc.escalation_level, nc.date_overdue, nc.date_supervised = 0, None, None
        nc.containment, nc.root_cause, nc.is_recurrence, nc.recurrence_count = None, None, False, 0
        nc.cancel_reason = None
        if triage > self.yesterday:
            nc.state, nc.path = "new", None
            return
        nc.deadline = deadline
        if rule:
            nc.date_reply_due = wd.add(nc.date_detected, rule[1]) if rule[1] else None
            nc.date_action_plan_due = wd.add(nc.date_detected, rule[2]) if rule[2] else None
        if closing is not None and closing <= self.yesterday:
            nc.state = "cancelled" if nc.outcome == "cancelled" else "closed"
            until = closing - timedelta(days=1)
            if nc.state == "closed":
                nc.date_closed = closing
                nc.closed_by = department.head if department.head != nc.reporter else self.manager.index
            else:
                nc.cancel_reason = "Raised twice: see the earlier nonconformity."
        else:
            until = self.yesterday
            span = max(1, ((closing or self.yesterday + timedelta(days=60)) - nc.date_detected).days)
            progress = (self.yesterday - nc.date_detected).days / span
            if nc.outcome == "stuck":
                progress = rng.choice([0.3, 0.6, 0.6, 0.9])
            if nc.path == "correction":
                nc.state = "triaged"
            else:
                nc.state = "triaged" if progress < 0.15 else "analysis" if progress < 0.4 else \
                    "action" if progress < 0.85 else "verification"
        nc.escalation_level, nc.date_overdue, nc.date_supervised = self.ladder(deadline, until)
        staff = self.staff_of(department)
        if nc.path == "correction" or nc.severity == "major":
            nc.containment = (staff.index, nc.date_detected + timedelta(days=rng.randint(0, 2)),
                              "Corrected the file at once and informed the counter staff.")
        if nc.path == "capa" and nc.state in ("action", "verification", "closed"):
            nc.root_cause = f"Step not described in the procedure: {self.text()}"
            if rng.random() < 0.08:
                nc.is_recurrence, nc.recurrence_count = True, rng.randint(1, 3)

    def _plan_actions(self):
        rng, wd = self.rng, self.wd
        actions, checks = [], []
        for finding in self.findings:
            if finding.classification == "ofi":
                audit = self.audits[finding.audit]
                department = self.departments[finding.department]
                actions.append(Item(nc=None, department=finding.department, owner=department.head,
                                    action_type="improvement", name=finding.statement[:120],
                                    created=finding.date_raised, deadline=audit.date_end + timedelta(days=30),
                                    finding=finding.index))
        eligible = [nc for nc in self.ncs if nc.path == "capa" and nc.state in ("action", "verification", "closed")]
        standalone = max(0, round(self.scale.actions * 0.08) - len(actions))
        mean = max(1.0, (self.scale.actions - len(actions) - standalone) / max(1, len(eligible)))
        for nc in eligible:
            count = max(1, round(rng.gauss(mean, mean * 0.4)))
            department = self.departments[nc.department]
            created = wd.add(nc.date_detected, rng.randint(2, 6))
            nc_deadline = nc.deadline or created + timedelta(days=30)
            for number in range(count):
                kind = "corrective" if number == 0 else weighted(rng, ACTION_TYPES)
                owner = self.staff_of(department) if rng.random() < 0.9 else self.users[department.head]
                due = wd.add(created, rng.randint(3, 15))
                if due > nc_deadline and nc_deadline > created:
                    due = nc_deadline
                actions.append(Item(nc=nc.index, department=nc.department, owner=owner.index, action_type=kind,
                                    name=f"{kind.capitalize()}: {self.text()}", created=created, deadline=due,
                                    finding=None))
        for _n in range(standalone):
            department = self.department()
            created = self.start + timedelta(days=rng.randint(0, (self.yesterday - self.start).days))
            actions.append(Item(nc=None, department=department.index, owner=self.staff_of(department).index,
                                action_type="improvement", name=f"Improvement: {self.text()}", created=created,
                                deadline=wd.add(created, rng.randint(10, 40)), finding=None))
        actions.sort(key=lambda action: (action.created, action.department))
        by_nc = {}
        for index, action in enumerate(actions):
            action.index = index
            self._plan_action(action)
            if action.nc is not None:
                by_nc.setdefault(action.nc, []).append(action)
        for nc_index, own in by_nc.items():
            nc = self.ncs[nc_index]
            if nc.state in ("verification", "closed"):
                last_done = max(action.date_done for action in own if action.date_done)
                independent = nc.reporter not in {action.owner for action in own}
                days = self.settings["effectiveness_major" if nc.severity == "major" else "effectiveness_minor"]
                check = Item(nc=nc_index, date_due=last_done + timedelta(days=days),
                             checker=nc.reporter if independent else None, state="pending", date_checked=None,
                             evidence=None)
                if nc.state == "closed":
                    check.state = "effective"
                    check.date_checked = max(last_done, nc.date_closed - timedelta(days=rng.randint(0, 3)))
                    check.evidence = "Sampled ten files of the following month: no recurrence."
                checks.append(check)
        self.actions, self.checks = actions, checks

    def _plan_action(self, action):
        rng = self.rng
        nc = self.ncs[action.nc] if action.nc is not None else None
        action.extension = None
        if rng.random() < 0.05:
            action.extension = action.deadline
            action.deadline = action.deadline + timedelta(days=rng.randint(7, 30))
        action.date_done = None
        late = rng.random() < 0.1
        done = action.deadline if not late else self.wd.add(action.deadline, rng.randint(1, 8))
        done = max(action.created, done - timedelta(days=rng.randint(0, 6)) if not late else done)
        if nc is not None and nc.state == "closed":
            action.date_done = min(done, nc.date_closed)
            action.state = "verified"
        elif nc is not None and nc.state == "verification":
            action.date_done = min(done, self.yesterday)
            action.state = "done"
        elif done <= self.yesterday and (nc is None or rng.random() < 0.45):
            action.date_done, action.state = done, "done"
        else:
            action.state = "open"
        until = action.date_done - timedelta(days=1) if action.date_done else self.yesterday
        action.escalation_level, action.date_overdue, action.date_supervised = self.ladder(action.deadline, until)
        action.evidence = f"Done: {self.text()} corrected; see the register." if action.date_done else None

    # ------------------------------------------------------------------ everything

    def plan(self):
        self.plan_organisation()
        self.plan_documents()
        self.plan_audits()
        self.plan_capa()
        return self


def choose_facts(plan):
    """The people and records the operations use, by index in the plan (the same in both databases): the head
    of the bureau with the most nonconformities, the user with the most overdue actions, the department most
    audited last year (its evidence pack), the closed audit with the longest checklist (its report)."""
    counts = {}
    for nc in plan.ncs:
        counts[nc.department] = counts.get(nc.department, 0) + 1
    bureaus = [d for d in plan.departments if d.parent == 0] or plan.departments
    head_department = max(bureaus, key=lambda d: sum(counts.get(s.index, 0) for s in plan.departments
                                                      if s.index == d.index or s.parent == d.index))
    overdue = {}
    for action in plan.actions:
        if action.state == "open" and action.deadline < plan.today:
            overdue[action.owner] = overdue.get(action.owner, 0) + 1
    overdue_user = max(overdue, key=overdue.get) if overdue else plan.users[-1].index
    year = plan.today.year - 1
    audited = {}
    for audit in plan.audits:
        if audit.year == year and audit.state in ("reported", "closed"):
            audited[audit.departments[0]] = audited.get(audit.departments[0], 0) + 1
    pack_department = max(audited, key=lambda d: (audited[d], counts.get(d, 0))) if audited else 1
    closed = [audit for audit in plan.audits if audit.state == "closed"] or plan.audits
    report_audit = max(closed, key=lambda audit: (len(audit.lines), audit.date_start))
    return {
        "head_user": head_department.head, "head_department": head_department.index,
        "overdue_user": overdue_user, "overdue_count": overdue.get(overdue_user, 0),
        "pack_department": pack_department, "pack_year": year, "report_audit": report_audit.index,
        "programme_audits": sum(1 for audit in plan.audits if audit.year == plan.today.year
                                and audit.state != "cancelled"),
    }
