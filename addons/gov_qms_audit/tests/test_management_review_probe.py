"""The management review (issue 10) attacked as a hostile but logged-in API client would (ORM with_user: the same
methods and fields that XML-RPC `execute_kw` reaches): workflow fields, stored computed and related fields, child
lines, attachments, deletions, steps in the wrong state, reads out of scope, the change requests raised from CAPA
and the process indicator measurements the review compiles.

The fixture is TestManagementReview's (a second company with the 2025 H2 review closed and the 2026 H1 one in
draft)."""
import base64
from contextlib import contextmanager

from odoo.addons.gov_qms_docs.tests.common import MANAGER
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import new_test_user, tagged

from . import test_management_review as base

NOTES = base.JUDGEMENT_NOTES
REFUSED = (UserError, ValidationError, AccessError)


@tagged("post_install", "-at_install")
class TestManagementReviewProbe(base.ReviewCityCase):

    @contextmanager
    def refused(self, msg):
        """The block must be refused with a UserError, ValidationError or AccessError that says why."""
        try:
            with self.env.cr.savepoint():
                yield
        except REFUSED as error:
            self.assertTrue(str(error), "a refusal says why")
            return
        self.fail(msg)

    def reopen(self, review):
        self.env["qms.reason.wizard"].with_user(self.qms_manager).create({
            "res_model": review._name, "res_ids": review.ids, "method": "_action_reopen",
            "reason": "The chair's name was misspelt in the minutes."}).action_confirm()
        self.assertEqual(review.state, "held")

    def input_of(self, review, code):
        return review.input_ids.filtered(lambda s: s.code == code)

    # ================================================================== rules that hold (guards)

    def test_guard_workflow_fields_of_the_review(self):
        review = self.review
        review.action_compile()
        forged = {"state": "closed", "date_compiled": "2020-01-01 00:00:00", "compiled_by_id": self.clerk.id,
                  "date_held": "2020-01-01", "closed_by_id": self.clerk.id, "date_closed": "2020-01-01",
                  "reopen_count": 7, "minutes_attachment_id": self.previous.minutes_attachment_id.id,
                  "name": "MR-1999-99"}
        for name, value in forged.items():
            with self.subTest(field=name), self.assertRaisesRegex(
                    UserError, "workflow buttons" if name == "state" else "change only through the workflow"):
                review.write({name: value})
        # a context key sent by a client is no workflow step
        with self.assertRaisesRegex(UserError, "workflow buttons"):
            review.with_context(qms_transition=True).write({"state": "held"})

    def test_guard_inputs_and_figures_are_written_only_by_compiling(self):
        review = self.review
        review.action_compile()
        c4 = self.input_of(review, "c4_capa").with_user(self.qms_manager)
        figure = c4.figure_ids[:1].with_user(self.qms_manager)
        for name, value in (("value", 99), ("previous_value", 1), ("label", "Invented"), ("unit", "text"),
                            ("better", "down"), ("input_id", self.input_of(review, "c3_processes").id)):
            with self.subTest(field=name), self.assertRaisesRegex(UserError, "change only through the workflow"):
                figure.write({name: value})
        for name, value in (("code", "b_context"), ("date_compiled", False), ("review_id", self.previous.id)):
            with self.subTest(field=name), self.assertRaisesRegex(UserError, "change only through the workflow"):
                c4.write({name: value})
        # the same through the review's tabs (x2many commands)
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            review.write({"c4_capa_figure_ids": [(0, 0, {"label": "Invented", "value": 1})]})
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            review.write({"c4_capa_figure_ids": [(1, figure.id, {"value": 1234})]})
        with self.assertRaisesRegex(UserError, "compile the review again"):
            review.write({"c4_capa_figure_ids": [(2, figure.id)]})
        with self.assertRaisesRegex(UserError, "inputs of a management review are kept"):
            review.write({"input_ids": [(2, c4.id)]})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            review.write({"input_ids": [(0, 0, {"code": "b_context"})]})
        self.assertEqual(figure.value, self.input_of(review, "c4_capa").figure_ids[:1].value)
        # once held, the assessments are frozen too, by every path
        review.write({**NOTES, "date_meeting": "2026-11-30 01:00:00"})
        review.action_hold()
        with self.assertRaisesRegex(UserError, "can no longer change"):
            c4.write({"note": "rewritten after the meeting"})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            review.write({"input_ids": [(1, c4.id, {"note": "rewritten after the meeting"})]})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            review.write({"c4_capa_note": "rewritten after the meeting"})

    def test_guard_decisions_stay_with_their_review(self):
        review = self.review
        Decision = self.env["qms.management.review.decision"].with_user(self.qms_manager)
        decision = Decision.create({"review_id": review.id, "name": "Shorten queues", "follow_up": "note"})
        with self.assertRaisesRegex(UserError, "stays with the record it was written for"):
            decision.write({"review_id": self.make_review("2026-07-01", "2026-12-31").id})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            Decision.create({"review_id": review.id, "name": "Forged", "action_id": self.a2.id})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            Decision.create({"review_id": review.id, "name": "Forged", "follow_up": "change_request",
                             "change_request_id": self.env["qms.document.change.request"].search([], limit=1).id})
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            decision.write({"change_request_id": self.env["qms.document.change.request"].search([], limit=1).id})
        # a closed review's decisions: not written, added, moved away, moved in, or deleted
        closed = self.dec_recruit.with_user(self.qms_manager)
        for vals in ({"name": "rewritten"}, {"state": "done"}, {"follow_up": "note"}, {"review_id": review.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "can no longer change|workflow buttons"):
                closed.write(vals)
        with self.assertRaisesRegex(UserError, "can no longer change"):
            closed.unlink()
        with self.assertRaisesRegex(UserError, "can no longer change"):
            review.write({"decision_ids": [(4, closed.id)]})
        with self.assertRaisesRegex(UserError, "stays with the record it was written for"):
            decision.write({"review_id": self.previous.id})
        # someone who may only read the review adds nothing to it
        for user in (self.leader, self.section_head, self.auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Decision.with_user(user).create({"review_id": review.id, "name": "Mine", "follow_up": "note"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                decision.with_user(user).write({"note": "mine"})

    def test_guard_steps_and_wizards_for_the_qms_office_only(self):
        review = self.review
        review.action_compile()
        for user in (self.leader, self.section_head, self.other_head, self.auditor):
            for step in ("action_compile", "action_hold"):
                with self.subTest(user=user.login, step=step), self.assertRaisesRegex(
                        UserError, "Only the QMS office"):
                    getattr(review.with_user(user), step)()
            wizard = self.env["qms.reason.wizard"].with_user(user).create({
                "res_model": review._name, "res_ids": self.previous.ids, "method": "_action_reopen",
                "reason": "I want to change it"})
            with self.subTest(user=user.login), self.refused(f"{user.login} reopens closed minutes"):
                wizard.action_confirm()
        # a stranger does not even reach the gate
        with self.assertRaises(AccessError):
            review.with_user(self.other_clerk).action_compile()
        # other methods or steps in the wrong state through the wizard
        wizard = self.env["qms.reason.wizard"].with_user(self.qms_manager)
        for method, ids in (("action_close", self.previous.ids), ("_qms_compile", review.ids),
                            ("_action_reopen", review.ids), ("_action_reopen", [0]), ("_action_reopen", "1")):
            with self.subTest(method=method, ids=ids), self.assertRaisesRegex(UserError, "not possible|cannot be done"):
                wizard.create({"res_model": review._name, "res_ids": ids, "method": method,
                               "reason": "x"}).action_confirm()
        # a manager who is not in the review's company cannot reopen it through the wizard
        outsider = new_test_user(self.env, login="manager_elsewhere", groups=MANAGER)
        self.assertNotIn(self.co, outsider.company_ids)
        with self.assertRaises(AccessError):
            self.env["qms.reason.wizard"].with_user(outsider).create({
                "res_model": review._name, "res_ids": self.previous.ids, "method": "_action_reopen",
                "reason": "x"}).action_confirm()
        self.assertEqual(self.previous.state, "closed")

    def test_guard_private_steps_are_not_reachable_over_rpc(self):
        review = self.review.with_user(self.qms_manager)
        for name in ("_action_reopen", "_qms_compile", "_qms_set_state", "_qms_write_workflow", "_qms_attach_minutes",
                     "_qms_ensure_inputs", "_qms_write_input_note"):
            with self.subTest(method=name), self.assertRaisesRegex(AccessError, "cannot be called remotely"):
                get_public_method(review, name)
        for model, name in (("qms.management.review.decision", "_qms_create_follow_ups"),
                            ("qms.document.change.request", "_qms_create_from"),
                            ("qms.nonconformity", "_qms_raise_change_request")):
            with self.subTest(method=name), self.assertRaisesRegex(AccessError, "cannot be called remotely"):
                get_public_method(self.env[model], name)
        # the public methods of the review and of the change request wizard take no arguments
        for model in ("qms.management.review", "qms.management.review.decision", "qms.management.review.input",
                      "qms.management.review.figure", "qms.change.request.wizard", "qms.process.kpi.measurement"):
            cls = type(self.env[model])
            for name in dir(cls):
                if name.startswith("_") or name in ("create", "write", "default_get"):
                    continue
                owner = next((klass for klass in cls.mro() if name in vars(klass)), None)
                if not getattr(owner, "__module__", "").startswith("odoo.addons.gov_qms"):
                    continue
                if any(name in vars(klass) for klass in cls.mro()
                       if not getattr(klass, "__module__", "").startswith("odoo.addons.gov_qms")):
                    continue  # the suite's override of Odoo's own API (message_subscribe), not a method of its own
                method = getattr(cls, name)
                if callable(method):
                    self.assertEqual(method.__code__.co_argcount, 1,
                                     f"{model}.{name} is public and takes arguments: make it private")

    def test_guard_reads_out_of_scope(self):
        review = self.review
        review.action_compile()
        mine = [("company_id", "=", self.co.id)]
        Review = self.env["qms.management.review"]
        Figure = self.env["qms.management.review.figure"]
        Input = self.env["qms.management.review.input"]
        Decision = self.env["qms.management.review.decision"]
        # a plain employee and the head of a department that is not invited see nothing of them
        for user in (self.other_clerk, self.bureau_head):
            with self.subTest(user=user.login):
                self.assertFalse(Review.with_user(user).search(mine))
                self.assertEqual(Review.with_user(user).search_count(mine), 0)
                self.assertFalse(Review.with_user(user).name_search("MR"))
                self.assertFalse(Review.with_user(user)._read_group(mine, ["state"], ["__count"]))
                self.assertFalse(Figure.with_user(user).search(mine + [("review_id.title", "!=", False)]))
                self.assertFalse(Figure.with_user(user)._read_group(mine, ["review_id"], ["__count"]))
                self.assertFalse(Input.with_user(user).search(mine))
                self.assertFalse(Decision.with_user(user).search(mine))
                with self.assertRaises(AccessError):
                    review.with_user(user).read(["title"])
                with self.assertRaises(AccessError):
                    self.input_of(review, "c4_capa").figure_ids[:1].with_user(user).read(["value"])
                with self.assertRaises(AccessError):
                    self.previous.minutes_attachment_id.with_user(user).read(["datas"])
        # the owner of a follow-up reads its decision, not the review it was taken in
        Clerk = Decision.with_user(self.clerk)
        self.assertEqual(Clerk.search(mine), self.dec_fees | self.dec_recruit)
        self.assertFalse(Clerk.search(mine + [("review_id.conclusion", "ilike", "inspectors")]))
        with self.assertRaises(AccessError):
            self.dec_recruit.with_user(self.clerk).review_id.read(["conclusion"])
        with self.assertRaises(AccessError):
            self.dec_policy.with_user(self.clerk).read(["name"])

    def test_guard_files_of_a_closed_review(self):
        review = self.previous.with_user(self.qms_manager)
        minutes = review.minutes_attachment_id.with_user(self.qms_manager)
        Attachment = self.env["ir.attachment"].with_user(self.qms_manager)
        with self.assertRaisesRegex(UserError, "locked"):
            Attachment.create({"name": "late.pdf", "datas": base64.b64encode(b"late"), "res_model": review._name,
                               "res_id": review.id})
        for vals in ({"datas": base64.b64encode(b"forged")}, {"name": "other.pdf"}, {"res_id": self.review.id}):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(UserError, "locked"):
                minutes.write(vals)
        with self.assertRaisesRegex(UserError, "locked"):
            minutes.unlink()
        elsewhere = Attachment.create({"name": "elsewhere.pdf", "datas": base64.b64encode(b"x"),
                                       "res_model": review._name, "res_id": self.review.id})
        with self.assertRaisesRegex(UserError, "locked"):
            elsewhere.write({"res_id": review.id})
        pending = Attachment.create({"name": "pending.pdf", "datas": base64.b64encode(b"x"),
                                     "res_model": "mail.compose.message", "res_id": 0})
        with self.assertRaisesRegex(UserError, "locked"):
            review.message_post(body="Corrected minutes attached", attachment_ids=pending.ids)
        # the review itself: not written, not deleted
        for vals in ({"conclusion": "rewritten"}, {"b_context_note": "rewritten"},
                     {"participant_ids": [(4, self.other_clerk.id)]}, {"date_to": "2025-09-30"}):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(UserError, "can no longer be changed"):
                review.write(vals)
        with self.assertRaisesRegex(UserError, "kept as evidence"):
            review.unlink()

    def test_guard_steps_in_the_wrong_state(self):
        review = self.review
        with self.assertRaisesRegex(UserError, "is Draft: this step is not possible now"):
            review.action_close()
        review.action_compile()
        with self.assertRaisesRegex(UserError, "is Compiled: this step is not possible now"):
            review.action_close()
        self.hold(review)
        with self.assertRaisesRegex(UserError, "is Held: this step is not possible now"):
            review.action_compile()
        with self.assertRaisesRegex(UserError, "is Held: this step is not possible now"):
            review.action_hold()
        for step in ("action_compile", "action_hold", "action_close"):
            with self.subTest(step=step), self.assertRaisesRegex(UserError, "is Closed: this step is not possible now"):
                getattr(self.previous, step)()

    def test_guard_deletion_by_state(self):
        review = self.review
        self.hold(review)
        with self.assertRaisesRegex(UserError, "kept as evidence"):
            review.unlink()
        draft = self.make_review("2026-07-01", "2026-12-31")
        draft.action_compile()
        draft.unlink()  # a compiled review that was never held may go, with its inputs and figures
        self.assertFalse(draft.exists())

    def test_guard_holding_gate(self):
        review = self.review
        review.action_compile()
        review.write(NOTES)
        review.date_meeting = "2026-12-15 01:00:00"
        with self.assertRaisesRegex(UserError, "mark it held once it has met"):
            review.action_hold()
        self.assertEqual(review.state, "compiled")

    def test_guard_previous_review_of_another_company(self):
        elsewhere = self.env["qms.management.review"].with_user(self.qms_manager).create({
            "date_from": "2025-01-01", "date_to": "2025-06-30", "chair_id": self.leader.id,
            "company_id": self.company.id, "previous_review_id": False})
        with self.assertRaisesRegex(UserError, "company inconsistencies"):
            self.review.write({"previous_review_id": elsewhere.id})

    def test_guard_forged_links_to_decisions_and_origins(self):
        decision = self.dec_recruit
        document = self.make_document(company_id=self.co.id, department_id=self.dA.id, owner_id=self.author.id)
        Request = self.env["qms.document.change.request"]
        for user in (self.clerk, self.other_head, self.qms_manager):
            for link in ({"review_decision_id": decision.id}, {"nonconformity_id": self.nc2.id},
                         {"action_id": self.a2.id}):
                with self.subTest(user=user.login, link=list(link)), self.assertRaisesRegex(
                        UserError, "set by the workflow"):
                    Request.with_user(user).create({"document_id": document.id, "reason": "x", **link})
        # the owner of an action does not hook it onto a decision, nor unhook it
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            self.a2.with_user(self.clerk).write({"review_decision_id": decision.id})
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            self.a5.with_user(self.qms_manager).write({"review_decision_id": False})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            self.env["qms.action"].with_user(self.other_head).create({
                "name": "Forged", "owner_id": self.clerk.id, "department_id": self.dB.id,
                "date_deadline": "2027-01-01", "review_decision_id": decision.id})
        # the change request wizard raises only from a nonconformity or an action the user may change
        Wizard = self.env["qms.change.request.wizard"].with_user(self.clerk)
        for res_model, res_id in (("qms.management.review", self.previous.id),
                                  ("qms.management.review.decision", decision.id), ("res.users", self.clerk.id),
                                  ("qms.document", document.id), ("qms.nonconformity", -1)):
            with self.subTest(res_model=res_model), self.assertRaisesRegex(UserError, "cannot be requested from here"):
                Wizard.create({"res_model": res_model, "res_id": res_id, "document_id": document.id,
                               "reason": "x"}).action_confirm()
        with self.assertRaises(AccessError):  # another department's nonconformity
            self.env["qms.change.request.wizard"].with_user(self.other_clerk).create({
                "res_model": "qms.nonconformity", "res_id": self.nc3.id, "document_id": document.id,
                "reason": "x"}).action_confirm()

    def test_guard_kpi_measurement_copied_fields_and_scope(self):
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.section.id})
        kpi = self.env["qms.process.kpi"].create({"process_id": process.id, "name": "On time", "target": 95,
                                                  "direction": "min", "frequency": "monthly"})
        other = self.env["qms.process"].create({"name": "Budgets", "department_id": self.finance.id})
        other_kpi = self.env["qms.process.kpi"].create({"process_id": other.id, "name": "Answered", "target": 90})
        Measurement = self.env["qms.process.kpi.measurement"].with_user(self.section_head)
        measurement = Measurement.create({"kpi_id": kpi.id, "date": "2026-10-01", "value": 90})
        for vals in ({"target": 80}, {"direction": "max"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "change the indicator's target instead"):
                measurement.write(vals)
        with self.assertRaisesRegex(UserError, "stays with the indicator"):
            measurement.write({"kpi_id": other_kpi.id})
        with self.assertRaises(AccessError):  # another department's indicator
            Measurement.create({"kpi_id": other_kpi.id, "date": "2026-10-01", "value": 1})
        with self.assertRaises(AccessError):  # a plain employee
            measurement.with_user(self.clerk).write({"value": 99})
        with self.assertRaisesRegex(UserError, "has not begun yet"):
            Measurement.create({"kpi_id": kpi.id, "date": "2027-01-01", "value": 99})

    # ================================================================== holes (each test fails until fixed)

    def assertAllRefused(self, cases):
        """`cases`: [(what, callable)]. Each must be refused with a UserError, ValidationError or AccessError that
        says why. Every case runs (in a savepoint, undone either way); those that went through or crashed are
        listed together in one failure."""
        wrong = []
        for what, attempt in cases:
            try:
                with self.env.cr.savepoint():
                    attempt()
                    self.env.flush_all()
                    raise _WentThrough
            except _WentThrough:
                wrong.append(f"{what}: accepted")
            except REFUSED as error:
                if not str(error):
                    wrong.append(f"{what}: refused without a message")
            except Exception as error:  # a traceback is what the user would get
                wrong.append(f"{what}: crashed with {type(error).__name__}: {error}")
            finally:
                self.env.invalidate_all()
        if wrong:
            self.fail("Not refused with a clear error:\n- " + "\n- ".join(wrong))

    def test_hole_figure_trends_are_written_by_hand(self):
        """The trend and its assessment (stored computed fields) are what the form and the minutes print next to
        each figure: the QMS office writes a better trend than the records give."""
        review = self.review
        review.action_compile()
        figure = review.input_ids.figure_ids.filtered(lambda f: f.label == "Received").with_user(
            self.qms_manager)
        self.assertEqual((figure.trend_display, figure.assessment), ("↑ 300%", "neutral"))
        self.assertAllRefused([
            (f"figure.write({vals})", lambda vals=vals: figure.write(vals))
            for vals in ({"trend_display": "↓ 50%"}, {"assessment": "good"}, {"trend": "down"},
                         {"trend_percent": -50.0})])

    def test_hole_stored_related_fields_of_the_lines_are_written_by_hand(self):
        """company_id / review_id of inputs, figures and decisions are stored copies of their review's, and an
        input's kind a stored compute: written by hand they no longer match (a decision moved to another company
        leaves input a) of the next review and the reviews of its company)."""
        review = self.review
        review.action_compile()
        figure = review.input_ids.figure_ids[:1].with_user(self.qms_manager)
        c4 = self.input_of(review, "c4_capa").with_user(self.qms_manager)
        b = self.input_of(review, "b_context").with_user(self.qms_manager)
        self.reopen(self.previous)
        decision = self.dec_recruit.with_user(self.qms_manager)
        self.assertAllRefused([
            ("figure.write({'review_id': previous review})", lambda: figure.write({"review_id": self.previous.id})),
            ("figure.write({'company_id': other company})", lambda: figure.write({"company_id": self.company.id})),
            ("input.write({'company_id': other company})", lambda: c4.write({"company_id": self.company.id})),
            ("judgement input.write({'kind': 'data'})", lambda: b.write({"kind": "data"})),
            ("decision of reopened minutes.write({'company_id': other company})",
             lambda: decision.write({"company_id": self.company.id})),
        ])

    def test_hole_follow_up_status_of_a_decision_is_written_by_hand(self):
        """Reopened minutes: the overdue decision 'Recruit two inspectors' (its action is open, due 2026-03-31) is
        written 'done on time' (state, date_done, done_on_time: stored computed fields); after closing again,
        input a) of the next review reports it done on time and not overdue."""
        self.reopen(self.previous)
        decision = self.dec_recruit.with_user(self.qms_manager)
        self.assertEqual((decision.state, decision.is_overdue), ("open", True))
        self.assertAllRefused([
            ("decision.write({'state': 'done', 'date_done': ..., 'done_on_time': True})",
             lambda: decision.write({"state": "done", "date_done": "2026-03-01", "done_on_time": True})),
            ("decision.write({'state': 'cancelled'})", lambda: decision.write({"state": "cancelled"})),
        ])
        self.assertEqual(decision.state, "open")

    def test_hole_reopening_loses_or_rewrites_what_was_raised(self):
        """Reopened minutes must keep what was raised: a decision followed up by an action is not deleted, nor turned
        into 'recorded only' (both drop last year's overdue action from input a) of the next review), nor given
        another owner or due date than its action's (the minutes print the decision's)."""
        self.reopen(self.previous)
        decision = self.dec_recruit.with_user(self.qms_manager)
        self.assertTrue(decision.action_id)
        self.assertAllRefused([
            ("decision.write({'follow_up': 'note'})", lambda: decision.write({"follow_up": "note"})),
            ("decision.unlink()", decision.unlink),
            ("decision.write({'owner_id': someone else})", lambda: decision.write({"owner_id": self.other_head.id})),
            ("decision.write({'date_deadline': later})", lambda: decision.write({"date_deadline": "2027-12-31"})),
        ])
        self.assertEqual(self.a5.review_decision_id, self.dec_recruit)

    def test_hole_action_raised_by_closed_minutes_is_deleted(self):
        """The QMS office deletes the open action raised from last year's decision 'Recruit two inspectors': the
        decision of the closed (read-only) minutes silently goes back to 'To Follow Up' with no action. An action
        raised from a decision is cancelled with a reason (which the decision reports), not deleted."""
        self.assertAllRefused([("action raised from a decision.unlink()", self.a5.with_user(self.qms_manager).unlink)])
        self.assertEqual(self.dec_recruit.action_id, self.a5)

    def test_hole_reopening_frees_the_first_minutes(self):
        """The minutes PDF stored at the first closing stays evidence when the review is reopened (closing again
        stores new minutes beside it): it must not be replaced or deleted meanwhile."""
        minutes = self.previous.minutes_attachment_id.with_user(self.qms_manager)
        self.reopen(self.previous)
        self.assertAllRefused([
            ("first minutes.write({'datas': forged PDF})",
             lambda: minutes.write({"datas": base64.b64encode(b"%PDF-1.4 forged minutes")})),
            ("first minutes.unlink()", minutes.unlink),
        ])

    def test_hole_period_changed_after_compiling_is_held_on_the_old_figures(self):
        """Compiled for 2026 H1, the period is narrowed to Q1 (or the comparison dropped) and the review is held at
        once: the minutes show the new period with the figures compiled for the old one."""
        review = self.review
        review.action_compile()
        review.write({**NOTES, "date_meeting": "2026-11-30 01:00:00"})

        def hold_after(vals):
            review.write(vals)
            review.action_hold()

        self.assertAllRefused([
            (f"write({vals}) then action_hold() without compiling again", lambda vals=vals: hold_after(vals))
            for vals in ({"date_to": "2026-03-31"}, {"date_from": "2026-04-01"}, {"previous_review_id": False})])

    def test_hole_held_review_period_and_meeting_change(self):
        """Once held, the inputs are frozen, so is what they were compiled for and when the meeting took place: the
        meeting cannot move into the future (which holding refuses), nor the period or the previous review change."""
        review = self.review
        self.hold(review)
        self.assertAllRefused([
            (f"held review.write({vals})", lambda vals=vals: review.write(vals))
            for vals in ({"date_meeting": "2027-06-01 02:00:00"}, {"date_from": "2025-10-01"},
                         {"date_to": "2026-03-31"}, {"previous_review_id": False})])

    def test_hole_absurd_period_crashes(self):
        """A period from year 1, or up to year 9999, must get a clear error, not an OverflowError/ValueError
        traceback (computing the comparison period that the form shows, compiling, or numbering the review)."""
        def review_for(start, end):
            review = self.make_review(start, end, previous_review_id=False)
            review.read(["previous_date_from", "previous_date_to"])  # as the form does
            review.action_compile()

        self.assertAllRefused([
            (f"review of {start} .. {end}", lambda start=start, end=end: review_for(start, end))
            for start, end in (("0001-01-01", "2026-06-30"), ("2026-01-01", "9999-12-31"),
                               ("0001-01-01", "0001-12-31"))])

    def test_hole_kpi_measurement_computed_and_related_fields(self):
        """A head marks a missed target as met (`met`, stored computed, is what input c2 counts), or moves the
        measurement under another process, department or company (stored related fields the rules and views read)."""
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.section.id})
        kpi = self.env["qms.process.kpi"].create({"process_id": process.id, "name": "On time", "target": 95,
                                                  "direction": "min", "frequency": "monthly"})
        other = self.env["qms.process"].create({"name": "Budgets", "department_id": self.finance.id})
        measurement = self.env["qms.process.kpi.measurement"].with_user(self.section_head).create(
            {"kpi_id": kpi.id, "date": "2026-10-01", "value": 90})
        self.assertFalse(measurement.met)
        self.assertAllRefused([
            (f"measurement.write({vals})", lambda vals=vals: measurement.write(vals))
            for vals in ({"met": True}, {"process_id": other.id}, {"department_id": self.finance.id},
                         {"company_id": self.co.id})])

    def test_hole_kpi_moved_to_another_departments_process(self):
        """The head of the Licensing Section moves its indicator, with its measurements, into the Finance Bureau's
        process, which they may not change."""
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.section.id})
        kpi = self.env["qms.process.kpi"].create({"process_id": process.id, "name": "On time", "target": 95})
        other = self.env["qms.process"].create({"name": "Budgets", "department_id": self.finance.id})
        self.assertFalse(other.with_user(self.section_head).has_access("write"))
        self.assertAllRefused([("kpi.write({'process_id': another department's process})",
                                lambda: kpi.with_user(self.section_head).write({"process_id": other.id}))])

    def test_hole_change_request_scope_fields_written_by_the_requester(self):
        """A change request raised from a nonconformity: its requester rewrites the stored copies of the document's
        owner, department and company, which the record rules read (the real owner no longer finds it; with no
        company it disappears for everyone)."""
        document = self.make_document(department_id=self.section.id, owner_id=self.author.id)
        nc = self.make_nc(user=self.section_head)
        request = nc.with_user(self.section_head)._qms_raise_change_request(document, "Step 3 is missing")
        self.assertEqual(request.owner_id, self.author)
        self.assertAllRefused([
            (f"change request.write({vals})", lambda vals=vals: request.write(vals))
            for vals in ({"owner_id": self.section_head.id}, {"department_id": self.finance.id},
                         {"company_id": False})])


class _WentThrough(Exception):
    """Undoes a case that was not refused."""


# the fixture's own tests run in test_management_review, not again here
def _run_elsewhere(self):
    """Run by test_management_review.TestManagementReview."""


_run_elsewhere.__test__ = False
for _name, _member in vars(base.TestManagementReview).items():
    if _name.startswith("test_") and callable(_member):
        setattr(TestManagementReviewProbe, _name, _run_elsewhere)
