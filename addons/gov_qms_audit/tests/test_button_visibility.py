"""Honest buttons: each role sees on a record the buttons of the steps it may take there, and no other.

For every main model, in the states that matter, and for each role (staff, document controller, department
head, auditor, QMS manager, and the people a record names: author, reviewer, approver, owner, checker, lead
auditor), the test reads the form as that user (``get_views``: the arch the web client gets, ``groups=`` applied)
and evaluates each header button's ``invisible`` expression on the record's values as that user reads them, as
the web client does. Then it checks the visible set twice:

- against the table written here (what a quality manager expects each role to see);
- against the server: every header button of the form (whatever its groups) is pressed as that user, in a
  savepoint rolled back afterwards (a button that opens a wizard runs the step the wizard confirms). A button
  shown must go through, a button hidden must be refused. So a button shown to a role the server refuses, or
  a step the server lets a role take without showing its button, fails the test whatever the table says.
"""

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval
from odoo.tools.view_validation import get_expression_field_names

from .common import QmsAuditCase

REASON = "Checked with the section on site."
DOCUMENT = "Site inspection before licensing"
NAVIGATION = object()  # a button that opens something (a print, a list): no step to take on the server


class _RolledBack(Exception):
    pass


def step(name):
    """The server step behind button `name` on a record: wizards' buttons run the step the wizard confirms."""
    return STEPS.get(name, lambda record: getattr(record, name)())


STEPS = {
    "action_print_current": NAVIGATION,
    "action_prepare_evidence": NAVIGATION,  # opens the pack wizard, whose Build runs the checks
    "action_open_reject_wizard": lambda record: record._action_reject(REASON),
    "action_open_withdraw_wizard": lambda record: record._action_withdraw(REASON),
    "action_open_refuse_wizard": lambda record: record._action_refuse(REASON),
    "action_open_cancel_wizard": lambda record: record._action_cancel(REASON),
    "action_open_reopen_wizard": lambda record: record._action_reopen(REASON),
    "action_open_reopen_report_wizard": lambda record: record._action_reopen_report(REASON),
    "action_open_dismiss_wizard": lambda record: record._action_dismiss(REASON),
    "action_open_refuse_extension_wizard": lambda record: record._action_refuse_extension(REASON),
    "action_open_extension_wizard": lambda record: record._action_request_extension("2026-12-31", REASON),
    "action_open_deadline_wizard": lambda record: record._qms_reset_deadline("2026-12-31", REASON),
    "action_open_callback_wizard": lambda record: record._action_callback("satisfied", REASON),
    "action_open_change_request_wizard": lambda record: record._qms_raise_change_request(
        record.env["qms.document"].sudo().search([("name", "=", DOCUMENT)]).with_env(record.env),
        "The procedure does not say who checks the site inspection record."),
}


@tagged("post_install", "-at_install")
class TestButtonVisibility(QmsAuditCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = {
            "staff": cls.clerk, "controller": cls.controller, "head": cls.section_head, "auditor": cls.auditor,
            "manager": cls.qms_manager, "author": cls.author, "reviewer": cls.reviewer, "approver": cls.approver,
        }
        cls.document = cls.make_document_in_force()

    @classmethod
    def make_document_in_force(cls):
        """A procedure of the licensing section, owned by the author, read by the section's clerk."""
        document = cls.env["qms.document"].create({
            "name": DOCUMENT, "tier": "procedure", "department_id": cls.section.id,
            "owner_id": cls.author.id, "distribution_user_ids": [(6, 0, cls.clerk.ids)]})
        revision = cls.env["qms.document.revision"].with_user(cls.author).create({
            "document_id": document.id, "body": "<p>Inspect the site before issuing the licence.</p>",
            "approver_id": cls.approver.id, "reviewer_ids": [(6, 0, cls.reviewer.ids)]})
        revision.with_user(cls.author).action_submit()
        revision.with_user(cls.reviewer).action_review()
        revision.with_user(cls.approver).action_approve()
        return document

    # ------------------------------------------------------------------ reading the form as the user

    @staticmethod
    def _value(record, name):
        value = record[name]
        field = record._fields[name]
        if field.type == "many2one":
            return value.id or False
        if field.type in ("one2many", "many2many"):
            return value.ids
        return value

    def _evaluate(self, expression, record, user):
        names = {name for name in get_expression_field_names(expression) if name in record._fields}
        context = {name: self._value(record, name) for name in names}
        context.update({"uid": user.id, "context": {}, "id": record.id})
        return bool(safe_eval(expression, context))

    def _buttons(self, record, view_type, user=None):
        """The header buttons of the record's form (or the row buttons of its list), as `user` gets the arch."""
        model = record.with_user(user) if user else record.sudo()
        arch = model.get_views([(False, view_type)])["views"][view_type]["arch"]
        path = "//header//button[@type='object']" if view_type == "form" else "/list/button[@type='object']"
        return etree.fromstring(arch).xpath(path)

    def shown(self, record, user, view_type="form"):
        """The names of the buttons `user` sees on `record`, or None when they cannot open it."""
        mine = record.with_user(user)
        try:
            mine.check_access("read")
        except AccessError:
            return None
        mine.invalidate_recordset()
        return {button.get("name") for button in self._buttons(record, view_type, user)
                if not self._evaluate(button.get("invisible") or "False", mine, user)}

    def _server_accepts(self, record, user, name):
        """Press the button as `user`, rolled back afterwards: True when the step goes through."""
        call = step(name)
        try:
            with self.env.cr.savepoint():
                call(record.with_user(user))
                raise _RolledBack
        except _RolledBack:
            return True, None
        except (UserError, AccessError, ValidationError) as error:
            return False, error
        finally:
            self.env.invalidate_all()

    def assertButtons(self, record, expected, view_type="form"):
        """`expected`: {person: set of button names shown, or None when they cannot open the record}."""
        every = {button.get("name") for button in self._buttons(record, view_type)}
        for person, buttons in expected.items():
            user = self.people[person]
            shown = self.shown(record, user, view_type)
            state = record["state"] if "state" in record._fields else ""
            label = f"{record.display_name} ({record._name}, {state}) as {person}"
            self.assertEqual(shown, buttons, f"{label}: buttons shown")
            if shown is None:
                continue
            for name in sorted(every):
                if step(name) is NAVIGATION:
                    continue
                accepted, error = self._server_accepts(record, user, name)
                if name in shown:
                    self.assertTrue(accepted, f"{label}: {name} is shown but the server refuses it: {error}")
                else:
                    self.assertFalse(accepted, f"{label}: {name} is hidden but the server lets them do it")

    # ------------------------------------------------------------------ documents

    def test_document_in_force(self):
        manage = {"action_new_revision", "action_mark_reviewed", "action_print_current",
                  "action_open_withdraw_wizard"}
        self.assertButtons(self.document, {
            "author": manage, "head": manage, "controller": manage, "manager": manage,
            "staff": {"action_print_current"}, "auditor": {"action_print_current"},
            "reviewer": {"action_print_current"},
        })

    def test_revision_draft_in_review_and_reviewed(self):
        revision = self.env["qms.document.revision"].with_user(self.author).create({
            "document_id": self.document.id, "body": "<p>Inspect the site and photograph it.</p>",
            "change_summary": "Photographs of the site", "approver_id": self.approver.id,
            "reviewer_ids": [(6, 0, self.reviewer.ids)]})
        self.assertButtons(revision, {
            "author": {"action_submit"}, "head": {"action_submit"}, "controller": {"action_submit"},
            "manager": {"action_submit"}, "reviewer": set(), "approver": set(), "auditor": set(), "staff": None,
        })
        revision.with_user(self.author).action_submit()
        reject = "action_open_reject_wizard"
        self.assertButtons(revision, {
            "author": {"action_reset_to_draft"}, "reviewer": {"action_review", reject},
            "approver": {"action_approve", reject}, "controller": {reject, "action_reset_to_draft"},
            "manager": {reject, "action_reset_to_draft"}, "head": set(), "auditor": set(), "staff": None,
        })
        revision.with_user(self.reviewer).action_review()
        self.assertButtons(revision, {"reviewer": {reject}, "approver": {"action_approve", reject}})

    def test_revision_in_force_and_its_reader(self):
        revision = self.document.current_revision_id
        ack = revision.ack_ids
        self.assertEqual(ack.user_id, self.clerk)
        nobody = dict.fromkeys(("author", "approver", "reviewer", "head", "controller", "manager", "auditor"), set())
        self.assertButtons(revision, {**nobody, "staff": set()})
        self.assertButtons(ack, {"staff": {"action_open_revision"}, "author": set(), "head": set(),
                                 "controller": set(), "manager": set(), "auditor": None})
        self.assertButtons(ack, {"staff": {"action_open_revision"}}, view_type="list")
        ack.with_user(self.clerk).action_open_revision()
        self.assertButtons(revision, {**nobody, "staff": {"action_acknowledge"}})
        self.assertButtons(ack, {"staff": {"action_open_revision", "action_acknowledge"}, "head": set()})
        self.assertButtons(ack, {"staff": {"action_open_revision", "action_acknowledge"}}, view_type="list")

    def test_change_request(self):
        request = self.env["qms.document.change.request"].with_user(self.clerk).create({
            "document_id": self.document.id, "reason": "The procedure does not say who photographs the site."})
        decide = {"action_accept", "action_open_refuse_wizard"}
        self.assertButtons(request, {
            "staff": set(), "author": decide, "head": decide, "controller": decide, "manager": decide,
            "auditor": None,
        })

    # ------------------------------------------------------------------ nonconformities, actions, checks

    def test_nonconformity_through_its_loop(self):
        nc = self.make_nc()  # reported by the auditor, against the licensing section
        change, deadline, cancel = ("action_open_change_request_wizard", "action_open_deadline_wizard",
                                    "action_open_cancel_wizard")
        triage = {"action_triage_correction", "action_triage_capa", cancel, change}
        self.assertButtons(nc, {
            "head": triage, "manager": triage | {deadline}, "auditor": {change}, "staff": None,
            "controller": None,
        })
        major = self.make_nc(severity="major", title="Licence issued to a company struck off the register")
        self.assertButtons(major, {"head": triage - {"action_triage_correction"}})
        nc.with_user(self.section_head).action_triage_capa()
        self.assertButtons(nc, {
            "head": {"action_start_analysis", cancel, change}, "manager": {"action_start_analysis", cancel, change,
                                                                           deadline},
            "auditor": set(), "staff": None,
        })
        nc.with_user(self.section_head).action_start_analysis()
        nc.with_user(self.section_head).write({"root_cause": "The checklist does not ask for the inspection."})
        action = self.add_action(nc)
        self.assertButtons(nc, {
            "head": {"action_plan_actions", cancel, change},
            "manager": {"action_plan_actions", cancel, change, deadline}, "auditor": set(), "staff": set(),
        })
        nc.with_user(self.section_head).action_plan_actions()
        self.assertButtons(nc, {"head": {cancel, change}, "staff": set(), "auditor": set()})
        self.finish_action(action)
        self.assertEqual(nc.state, "verification")
        check = nc.check_ids
        check.with_user(self.auditor).write({"evidence_note": "Twenty licences of December: all inspected."})
        check.with_user(self.auditor).action_effective()
        self.assertButtons(nc, {
            "head": {"action_close", cancel, change}, "manager": {"action_close", cancel, change, deadline},
            "staff": set(), "auditor": set(),
        })
        nc.with_user(self.section_head).action_close()
        self.assertButtons(nc, {
            "head": {change}, "manager": {"action_open_reopen_wizard", change}, "staff": set(), "auditor": set(),
        })

    def test_action_and_its_extension(self):
        nc = self.make_nc()
        action = self.to_action_stage(nc)  # owned by the clerk
        action.with_user(self.clerk).write({"evidence_note": "Checklist v2 in use since 9 November."})
        change, cancel = "action_open_change_request_wizard", "action_open_cancel_wizard"
        self.assertButtons(action, {
            "staff": {"action_done", "action_open_extension_wizard", change},
            "head": {cancel, change}, "manager": {"action_done", cancel, "action_open_deadline_wizard", change},
            "auditor": set(), "controller": None,
        })
        action.with_user(self.clerk)._action_request_extension("2026-12-18", "The supplier delivers in December.")
        self.assertButtons(action, {
            "staff": {"action_done", change},
            "head": {"action_approve_extension", "action_open_refuse_extension_wizard", cancel, change},
            "auditor": set(),
        })

    def test_effectiveness_check(self):
        nc = self.make_nc()
        self.finish_action(self.to_action_stage(nc))
        check = nc.check_ids
        self.assertEqual(check.checker_id, self.auditor, "the reporter checks: they own no action")
        check.with_user(self.auditor).write({"evidence_note": "Twenty licences of December: all inspected."})
        result = {"action_effective", "action_not_effective"}
        self.assertButtons(check, {"auditor": result, "manager": result, "head": set(), "staff": None,
                                   "controller": None})

    # ------------------------------------------------------------------ citizen complaints

    def test_complaint(self):
        complaint = self.env["qms.complaint"].with_user(self.clerk).create({
            "channel": "counter", "kind": "complaint", "department_id": self.section.id,
            "subject": "Licence refused without a reason", "description": "Told to come back, no reason given.",
            "citizen_name": "Mr Zhang"})
        raise_nc, dismiss = "action_raise_nonconformity", "action_open_dismiss_wizard"
        handle = {"action_assign", raise_nc, dismiss}
        self.assertButtons(complaint, {"staff": handle, "head": handle, "manager": handle, "auditor": set(),
                                       "controller": None})
        complaint.with_user(self.clerk).action_assign()
        complaint.with_user(self.section_head).write({"reply": "The licence needs the site inspection first."})
        handle = {"action_answer", "action_open_transfer_wizard", raise_nc, dismiss}
        self.assertButtons(complaint, {"head": handle, "manager": handle, "staff": set(), "auditor": set()})
        complaint.with_user(self.section_head).action_answer()
        self.assertButtons(complaint, {"head": {"action_open_callback_wizard", raise_nc},
                                       "staff": set(), "auditor": set()})

    # ------------------------------------------------------------------ audits

    def test_audit(self):
        audit = self.make_audit()  # led by the auditor, the section head is the auditee
        prepare = {"action_fill_criteria", "action_generate_checklist", "action_open_cancel_wizard"}
        planned = prepare | {"action_notify", "action_start"}
        self.assertButtons(audit, {"auditor": planned, "manager": planned, "head": set(), "staff": None,
                                   "controller": None})
        audit.with_user(self.auditor).action_start()
        audit.with_user(self.auditor).write({"conclusions": "The licensing procedure is followed."})
        running = prepare | {"action_raise_findings", "action_report"}
        self.assertButtons(audit, {"auditor": running, "manager": running, "head": set(), "staff": None})
        audit.with_user(self.auditor).action_report()
        self.assertButtons(audit, {"auditor": {"action_approve_report"}, "manager": set(), "head": set()})
        audit.with_user(self.auditor).action_approve_report()
        self.assertButtons(audit, {"auditor": {"action_close"},
                                   "manager": {"action_close", "action_open_reopen_report_wizard"}, "head": set()})

    def test_checklist_line_and_finding(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_start()
        audit.with_user(self.auditor).action_generate_checklist()
        line = audit.line_ids[:1]
        line.with_user(self.auditor2).write({
            "result": "minor", "evidence": "Counter 2 uses the fee table of 2024, not the one in force."})
        write = {"action_open_finding"}
        self.assertButtons(line, {"auditor": write, "manager": write, "head": set(), "staff": None})
        line.with_user(self.auditor2).action_open_finding()
        finding = line.finding_id
        self.assertEqual(finding.state, "draft")
        self.assertButtons(line, {"auditor": write, "head": write}, view_type="form")
        self.assertButtons(finding, {"auditor": {"action_confirm_statement"}, "manager": set(), "head": set(),
                                     "staff": None})
        finding.with_user(self.auditor).action_confirm_statement()
        self.assertButtons(finding, {"auditor": set(), "manager": set(), "head": set()})

    def test_programme(self):
        self.env["qms.audit.programme"].search([]).action_archive()  # the demo's: one programme a year
        self.env.flush_all()
        programme = self.env["qms.audit.programme"].with_user(self.qms_manager).create({
            "year": 2027, "line_ids": [(0, 0, {"department_id": self.section.id})]})
        office = {"action_generate_audits", "action_approve", "action_prepare_evidence"}
        self.assertButtons(programme, {"manager": office, "auditor": set(), "head": set(), "controller": set(),
                                       "staff": None})

    def test_management_review(self):
        review = self.env["qms.management.review"].with_user(self.qms_manager).create({
            "title": "Management review 2026", "date_from": "2026-01-01", "date_to": "2026-10-31",
            "chair_id": self.city_head.id})
        self.assertButtons(review, {"manager": {"action_compile"}, "auditor": set(), "head": None, "staff": None,
                                    "controller": None})

    def test_evidence_pack(self):
        pack = self.env["qms.evidence.pack"].with_user(self.qms_manager).create({
            "name": "Surveillance audit 2026", "date_from": "2026-01-01", "date_to": "2026-10-31"})
        self.assertButtons(pack, {"manager": {"action_build"}, "head": None, "auditor": set(), "staff": None,
                                  "controller": None})
