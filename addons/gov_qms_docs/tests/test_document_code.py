from odoo.tests import tagged

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestDocumentCode(QmsDocsCase):
    def test_codes_follow_the_tier_sequence(self):
        procedure = self.make_document()
        instruction = self.make_document(tier="instruction", name="Counter guide")
        form = self.make_document(tier="form", name="Application form")
        self.assertRegex(procedure.code, r"^QP-\d{3}$")
        self.assertRegex(instruction.code, r"^WI-\d{3}$")
        self.assertRegex(form.code, r"^QF-\d{3}$")
        following = self.make_document(name="Complaint handling")
        self.assertEqual(int(following.code[3:]), int(procedure.code[3:]) + 1)

    def test_codes_per_department_when_the_office_wants_it(self):
        self.company.qms_code_per_department = True
        first = self.make_document()
        second = self.make_document(name="Inspection")
        finance = self.make_document(department_id=self.finance.id, name="Budget")
        self.assertEqual(first.code, "QP-MRB-001")
        self.assertEqual(second.code, "QP-MRB-002")
        self.assertEqual(finance.code, "QP-FIN-001")

    def test_a_code_typed_by_hand_is_kept(self):
        self.assertEqual(self.make_document(code="QP-LEGACY-7").code, "QP-LEGACY-7")
