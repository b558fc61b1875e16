from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestBadInput(QmsDocsCase):
    def test_review_interval_must_be_positive(self):
        for months in (0, -6):
            with self.assertRaises(ValidationError) as error:
                self.make_document(review_interval_months=months)
            self.assertIn("must be at least one month", str(error.exception))
        document = self.make_document()
        with self.assertRaises(ValidationError):
            document.review_interval_months = 0
        self.assertEqual(document.review_interval_months, 12)

    def test_duplicate_code_is_refused(self):
        self.make_document(code="QP-MRB-003")
        with self.assertRaises(ValidationError) as error:
            self.make_document(code="QP-MRB-003", name="Another")
        self.assertIn("already used by Handling of licence applications", str(error.exception))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            # two workers numbering at the same time: the database still refuses the second one
            self.env.cr.execute("INSERT INTO qms_document (code, name, tier, company_id, department_id, owner_id, "
                                "review_interval_months) SELECT code, 'x', tier, company_id, department_id, owner_id, "
                                "12 FROM qms_document WHERE code = 'QP-MRB-003'")

    def test_parent_must_be_the_tier_above(self):
        manual = self.make_document(tier="manual", name="Quality Manual")
        procedure = self.make_document(parent_id=manual.id)
        self.make_document(tier="instruction", name="Counter guide", parent_id=procedure.id)
        with self.assertRaises(ValidationError) as error:
            self.make_document(tier="instruction", name="Wrong place", parent_id=manual.id)
        self.assertIn("cannot be placed under", str(error.exception))

    def test_records_need_a_retention_period(self):
        with self.assertRaises(ValidationError):
            self.make_document(tier="record", name="Licence register")
        record = self.make_document(tier="record", name="Licence register", retention_years=10,
                                    disposition="archive")
        self.assertEqual(record.retention_years, 10)

    def test_excluding_a_clause_needs_a_justification(self):
        clause = self.env.ref("gov_qms_docs.iso_clause_7_1_5_2")
        with self.assertRaises(ValidationError):
            clause.write({"applicable": False})
        self.assertTrue(clause.applicable)

    def test_process_time_limits_must_grow(self):
        with self.assertRaises(ValidationError):
            self.env["qms.process"].create({"name": "Licensing", "department_id": self.bureau.id,
                                            "reply_days": 5, "complete_days": 3})
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.bureau.id,
                                                  "reply_same_day": True, "answer_days": 3, "complete_days": 5})
        self.assertEqual(process.time_limit_display,
                         "reply the same day, answer in 3 working days, complete in 5 working days")

    def test_rejecting_without_reason_and_deciding_twice(self):
        revision = self.make_revision(self.make_document())
        with self.assertRaises(UserError, msg="nothing to reject before submission"):
            revision.with_user(self.approver)._action_reject("Not good")
        revision.with_user(self.author).action_submit()
        with self.assertRaises(UserError):
            revision.with_user(self.approver)._action_reject(False)
        with self.assertRaises(UserError, msg="submitting twice"):
            revision.with_user(self.author).action_submit()
