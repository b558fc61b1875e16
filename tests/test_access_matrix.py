"""The access matrix of the suite: for every model, who may read, write, create and delete (access
rights, model level). The record rules that narrow these rights to a department, a parent or a
company are tested in test_record_rules.py.

A model added to the suite without a row here fails the test, and so does any deviation.
"""

from odoo.tests import TransactionCase, new_test_user, tagged

MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")
MODES = (("R", "read"), ("W", "write"), ("C", "create"), ("D", "unlink"))

# The roles, as users get them. "employee" is an internal user given no QMS group: base.group_user
# implies gov_qms_docs.group_qms_viewer, so every employee is a QMS viewer and this row is both the
# viewer's and the "internal user with no QMS group". A portal user is outside the QMS entirely.
ROLES = {
    "employee": "base.group_user",
    "auditor": "base.group_user,gov_qms_docs.group_qms_auditor",
    "head": "base.group_user,gov_qms_docs.group_qms_department_head",
    "controller": "base.group_user,gov_qms_docs.group_qms_document_controller",
    "manager": "base.group_user,gov_qms_docs.group_qms_manager",
    "portal": "base.group_portal",
}

# R read, W write, C create, D delete; "-" refused. Record rules then narrow each right (a head to
# the departments they head, a line to what its parent allows, everyone to their companies).
MATRIX = {
    # model                            employee auditor  head    controller manager  portal
    # --- documented information (gov_qms_docs)
    "qms.iso.clause":                  ("R---", "R---", "R---", "R---", "RW--", "----"),  # shipped library
    "qms.process":                     ("R---", "R---", "RWC-", "RWCD", "RWCD", "----"),
    "qms.process.control.point":       ("R---", "R---", "RWCD", "RWCD", "RWCD", "----"),  # as its process
    "qms.process.kpi":                 ("R---", "R---", "RWCD", "RWCD", "RWCD", "----"),  # as its process
    "qms.process.kpi.measurement":     ("R---", "R---", "RWCD", "RWCD", "RWCD", "----"),  # as its process
    "qms.document":                    ("RW--", "RW--", "RWC-", "RWCD", "RWCD", "----"),  # W: owners
    "qms.document.revision":           ("RWCD", "RWCD", "RWCD", "RWCD", "RWCD", "----"),  # author, reviewers...
    "qms.document.acknowledgement":    ("RW--", "RW--", "RW--", "RWC-", "RWC-", "----"),  # evidence: kept
    "qms.document.change.request":     ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),  # refused, not deleted
    "qms.reason.wizard":               ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),
    "qms.master.list.wizard":          ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),
    "qms.deadline.wizard":             ("----", "----", "----", "----", "RWC-", "----"),  # manager's reset
    "qms.calendar.day":                ("R---", "R---", "R---", "R---", "RWCD", "----"),  # holidays, 调休
    "qms.config.settings":             ("----", "----", "----", "----", "RWC-", "----"),  # the QMS office's
    "qms.workbench.tile":              ("R---", "R---", "R---", "R---", "RW--", "----"),  # shipped tiles
    # --- nonconformities and CAPA (gov_qms_capa)
    "qms.nonconformity":               ("RWC-", "RWC-", "RWC-", "RWC-", "RWCD", "----"),  # anyone reports
    "qms.nonconformity.why":           ("RWCD", "RWCD", "RWCD", "RWCD", "RWCD", "----"),  # as its NC
    "qms.nonconformity.cause":         ("RWCD", "RWCD", "RWCD", "RWCD", "RWCD", "----"),  # as its NC
    "qms.action":                      ("RW--", "RW--", "RWC-", "RWC-", "RWCD", "----"),  # W: owners
    "qms.effectiveness.check":         ("RW--", "RW--", "RW--", "RW--", "RWCD", "----"),  # W: the checker
    "qms.time.limit.rule":             ("R---", "R---", "R---", "R---", "RWCD", "----"),
    "qms.department.score":            ("----", "----", "R---", "R---", "RWC-", "----"),  # published, kept
    "qms.score.deduction":             ("----", "----", "R---", "R---", "RWCD", "----"),  # as its scorecard
    "qms.nonconformity.analysis":      ("----", "R---", "R---", "R---", "R---", "----"),  # SQL
    "qms.supervised.item":             ("----", "R---", "R---", "R---", "R---", "----"),  # SQL
    "qms.complaint.analysis":          ("----", "R---", "R---", "R---", "R---", "----"),  # SQL
    "qms.action.extension.wizard":     ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),  # owners ask
    "qms.change.request.wizard":       ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),  # checked on the NC/action
    "qms.complaint":                   ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "R---"),  # receiver, handler; kept
    "qms.complaint.wizard":            ("RWC-", "RWC-", "RWC-", "RWC-", "RWC-", "----"),  # checked on the complaint
    "qms.complaint.import.wizard":     ("----", "----", "----", "----", "RWC-", "----"),  # the QMS office imports
    # --- internal audit (gov_qms_audit)
    "qms.auditor":                     ("----", "R---", "R---", "R---", "RWCD", "----"),
    "qms.auditor.evaluation":          ("----", "R---", "----", "----", "RWCD", "----"),  # auditor: own
    "qms.audit.question":              ("----", "R---", "----", "----", "RWCD", "----"),
    "qms.audit.programme":             ("----", "R---", "R---", "R---", "RWCD", "----"),
    "qms.audit.programme.line":        ("----", "R---", "R---", "R---", "RWCD", "----"),  # as its programme
    "qms.audit":                       ("----", "RW--", "R---", "R---", "RWCD", "----"),  # W: its team
    "qms.audit.line":                  ("----", "RWCD", "R---", "R---", "RWCD", "----"),  # as its audit
    "qms.audit.finding":               ("----", "RWC-", "R---", "R---", "RWCD", "----"),
    "qms.auditor.workload":            ("----", "R---", "----", "----", "R---", "----"),  # SQL
    "qms.management.review":           ("R---", "R---", "R---", "R---", "RWCD", "----"),  # R: chair, on it, auditors
    "qms.management.review.input":     ("R---", "R---", "R---", "R---", "RWCD", "----"),  # as its review
    "qms.management.review.figure":    ("R---", "R---", "R---", "R---", "RWCD", "----"),  # compiled only
    "qms.management.review.decision":  ("R---", "R---", "R---", "R---", "RWCD", "----"),  # R: owners too
    "qms.evidence.pack":               ("----", "R---", "RWC-", "RWC-", "RWCD", "----"),  # head: own depts
    "qms.evidence.pack.wizard":        ("----", "----", "----", "----", "RWC-", "----"),
    "qms.evidence.pack.grant":         ("----", "R---", "R---", "R---", "RWC-", "----"),  # evidence: kept
    "qms.evidence.pack.access":        ("----", "R---", "R---", "R---", "R---", "----"),  # the link writes it
    "qms.dashboard":                   ("----", "RWC-", "RWC-", "RWC-", "RWC-", "----"),  # figures: as rules allow
}

# What portal users (citizens) may read: only their own records, by a record rule (tested with the portal).
PORTAL_READ = {"qms.complaint"}  # the citizen's own work orders (partner_id = their contact)

# Mixins: no records of their own, hence no access rights.
ABSTRACT = {
    "qms.deadline.mixin", "qms.department.mixin", "qms.department.scope.mixin", "qms.locked.line.mixin",
    "qms.locked.mixin", "qms.notification.mixin", "qms.parent.scope.mixin", "qms.reference.mixin",
    "qms.supervision.mixin", "qms.change.request.origin.mixin", "qms.gate.mixin", "qms.settings.mixin",
    "qms.digest",  # the daily digest job: no records, it reads as the system and queues e-mails
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {role: new_test_user(cls.env, login=f"matrix_{role}", groups=groups, name=f"Matrix {role}")
                     for role, groups in ROLES.items()}

    def suite_models(self):
        """Every model the three addons define (ir.model), not those they only extend (res.users...)."""
        return {model.model for model in self.env["ir.model"].search([])
                if model.model in self.env and self.env[model.model]._original_module in MODULES}

    def test_every_model_of_the_suite_is_in_the_matrix(self):
        models = self.suite_models()
        missing = sorted(models - set(MATRIX) - ABSTRACT)
        self.assertFalse(missing, f"models of the suite without a row in the access matrix: {missing}")
        stale = sorted((set(MATRIX) | ABSTRACT) - models)
        self.assertFalse(stale, f"rows for models the suite no longer has: {stale}")
        for name in ABSTRACT:
            self.assertTrue(self.env[name]._abstract, f"{name} holds records: give it a row in the matrix")
            self.assertFalse(self.env["ir.model.access"].search_count([("model_id.model", "=", name)]),
                             f"{name} is abstract: access rights on it mean nothing")

    def test_the_matrix_itself_is_least_privilege(self):
        """Whatever is edited in the table: portal gets nothing but reading what PORTAL_READ names; SQL views are
        read-only for everyone."""
        for name, row in MATRIX.items():
            self.assertEqual(row[list(ROLES).index("portal")], "R---" if name in PORTAL_READ else "----",
                             f"portal users have no business in {name}")
            model = self.env[name]
            if not model._auto and not model._abstract:  # an SQL view (or a query) of other records
                self.assertTrue(all(cell in ("----", "R---") for cell in row), f"{name} is read-only for everyone")

    def test_access_rights_match_the_matrix(self):
        deviations = []
        for name, row in MATRIX.items():
            for (role, user), expected in zip(self.users.items(), row, strict=True):
                model = self.env[name].with_user(user)
                actual = "".join(letter if model.has_access(mode) else "-" for letter, mode in MODES)
                if actual != expected:
                    deviations.append(f"{name:32} {role:10} expected {expected} got {actual}")
        self.assertFalse(deviations, "access rights differ from the matrix:\n" + "\n".join(deviations))
