"""Chinese first: the demo municipality in the demo language, the question bank shipped as data, and every text the
suite generates written in its reader's language (a to-do or an e-mail in its recipient's, a note in a shared
chatter in the company's)."""

import csv
import io
import re

from odoo import fields
from odoo.addons.gov_qms_capa.tests.common import QmsCapaCase
from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open

from .common import QmsAuditCase

MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")


def demo_rows(module, lang="zh_CN"):
    with file_open(f"{module}/demo/{lang}.csv", "rb") as file:
        return list(csv.DictReader(io.StringIO(file.read().decode("utf-8"))))


@tagged("post_install", "-at_install")
class TestDemoLanguage(TransactionCase):
    """The demo is localised by the rows of demo/<lang>.csv when the main company's language (the first language
    loaded when the database was created) is that language; the English demo stays otherwise. The test database
    has the English demo: the tests switch the company to Chinese and apply the rows, as the end of each addon's
    demo data does when a database is created in Chinese."""

    def demo_in(self, lang):
        self.env["res.lang"]._activate_lang(lang)
        self.env.ref("base.main_company").partner_id.lang = lang
        Module = self.env["ir.module.module"]
        return {module: Module._qms_localise_demo(module) for module in MODULES}

    def test_the_demo_municipality_in_chinese(self):
        written = self.demo_in("zh_CN")
        self.assertTrue(all(written.values()), written)
        ref = self.env.ref
        self.assertEqual(ref("base.main_company").name, "江城市人民政府", "the company is the demo city's government")
        # translatable fields get their Chinese only: an English user still reads English
        department = ref("gov_qms_docs.dept_asc")
        self.assertEqual(department.with_context(lang="zh_CN").name, "市政务服务中心")
        self.assertEqual(department.with_context(lang="en_US").name, "Administrative Service Centre")
        self.assertEqual(ref("gov_qms_docs.dept_hot").with_context(lang="zh_CN").complete_name,
                         "市质量管理办公室 / 市政务服务中心 / 12345热线科")
        process = ref("gov_qms_docs.process_inspection").with_context(lang="zh_CN")
        self.assertEqual(process.name, "市场监督检查（“双随机、一公开”）")
        self.assertEqual(process.control_point_ids.sorted("sequence")[0].name, "随机抽取检查对象和检查人员")
        # the other fields are written: people, documents, records kept as evidence and their lines
        self.assertEqual(ref("gov_qms_docs.user_manager").name, "王建国")
        self.assertEqual(ref("gov_qms_docs.employee_head_lic").job_title, "行政许可科科长")
        self.assertEqual(ref("gov_qms_docs.doc_qp_007").name, "行政许可限时办结程序")
        revision = ref("gov_qms_docs.rev_qp_001_a0")
        self.assertTrue(revision.is_locked)
        self.assertIn("<h3>目的</h3>", str(revision.body))
        closed = ref("gov_qms_capa.nc_ows_one_time_notification")
        self.assertEqual(closed.state, "closed")
        self.assertEqual(closed.title, "材料不全的申请未出具一次性告知单（25份案卷中有5份）")
        self.assertEqual(closed.why_ids.sorted("sequence")[0].question, "为什么没有出具QF-001？")
        self.assertIn("30份均有列明全部缺件的QF-001", closed.check_ids.evidence_note)
        complaint = ref("gov_qms_capa.cp_lost_file")
        self.assertEqual((complaint.subject, complaint.citizen_name), ("许可申请案卷在两个科室之间丢失", "顾婷女士"))
        self.assertEqual(complaint.nonconformity_id.title, complaint.subject, "the nonconformity raised from it")
        self.assertEqual(ref("gov_qms_audit.mr_last_year").title,
                         f"{fields.Date.context_today(complaint).year - 1}年度管理评审")
        self.assertIn("被替代的文件是否已撤回或明确标识为作废？",
                      ref("gov_qms_audit.audit_licensing_q4").line_ids.mapped("question"),
                      "the checklist generated from the bank before its translations were loaded")
        action = ref("gov_qms_audit.mr_last_year_decision_guides").action_id
        self.assertEqual(action.name, "在市政府门户网站公布综合窗口大厅每个事项的办事指南，附所需材料清单")
        self.assertNotIn("Publish the service guide", action.description, "composed from the decision: translated")
        # a reason the chatter quoted is the Chinese one too
        withdrawn = ref("gov_qms_docs.doc_qf_005")
        self.assertTrue(withdrawn.message_ids.filtered(lambda message: "12345工单QF-004" in str(message.body)))
        self.assertFalse(withdrawn.message_ids.filtered(lambda message: "every call is now" in str(message.body)))
        transferred = ref("gov_qms_capa.cp_unlicensed_restaurant").message_ids.mapped(lambda m: str(m.body))
        self.assertTrue([body for body in transferred if "从未申请过许可" in body])

    def test_every_row_finds_its_demo_records(self):
        """A demo record renamed or removed leaves no row behind silently."""
        for module in MODULES:
            for number, row in enumerate(demo_rows(module), start=2):
                with self.subTest(module=module, line=number):
                    xmlid = row["id"] if "." in row["id"] else f"{module}.{row['id']}"
                    *path, name = row["field"].split("/")
                    records = self.env["ir.module.module"]._qms_demo_targets(self.env.ref(xmlid), path)
                    self.assertTrue(records, f"{xmlid} {row['field']}: no record")
                    self.assertTrue(row["value"].strip(), "an empty value")
                    if name == "chatter" or name.endswith("~"):
                        self.assertIn(" => ", row["value"], "English => translation")
                    else:
                        self.assertIn(name, records._fields)
                    self.assertFalse(re.search(r"\{(?!year\}|last_year\}|next_year\})", row["value"]),
                                     "only {year}, {last_year} and {next_year} are replaced")

    def test_the_english_demo_stays_english(self):
        self.env["res.lang"]._activate_lang("zh_CN")  # loaded as a second language: the demo stays English
        self.assertEqual(self.env.ref("base.main_company").partner_id.lang, "en_US")
        self.assertIsNone(self.env["ir.module.module"]._qms_demo_lang())
        self.assertEqual(self.env["ir.module.module"]._qms_localise_demo("gov_qms_docs"), 0)
        self.assertEqual(self.env.ref("base.main_company").name, "Jiangcheng Municipal People's Government")
        self.assertEqual(self.env.ref("gov_qms_docs.user_manager").name, "Wang Jianguo")
        department = self.env.ref("gov_qms_docs.dept_asc").with_context(lang="zh_CN")
        self.assertEqual(department.name, "Administrative Service Centre", "no Chinese translation written")
        self.assertEqual(self.env.ref("gov_qms_capa.nc_ows_one_time_notification").title,
                         "One-time notification form not issued for incomplete applications (5 of 25 files)")


@tagged("post_install", "-at_install")
class TestQuestionBank(QmsAuditCase):
    """The question bank ships as data (noupdate): two to four questions under each main clause of ISO 9001, 4.1 to
    10.3, translatable; the four questions the demo first held kept their xml ids."""

    def test_every_main_clause_has_its_questions(self):
        Clause, Question = self.env["qms.iso.clause"], self.env["qms.audit.question"]
        main = Clause.search([]).filtered(lambda clause: re.fullmatch(r"(4|5|6|7|8|9|10)\.\d+", clause.code))
        self.assertEqual(len(main), 28, "4.1 to 10.3")
        data = self.env["ir.model.data"].search([("module", "=", "gov_qms_audit"),
                                                 ("model", "=", "qms.audit.question")])
        shipped = Question.browse(data.mapped("res_id"))
        self.assertTrue(all(data.mapped("noupdate")), "the office's edits survive an update")
        for clause in main:
            with self.subTest(clause=clause.code):
                under = Clause.search([("id", "child_of", clause.id)])
                count = len(shipped.filtered(lambda question, under=under: question.clause_id in under))
                self.assertTrue(2 <= count <= 4, f"{clause.code}: {count} questions")
        for xmlid in ("question_7_5_3_1_version", "question_7_5_3_1_obsolete", "question_8_5_1_time_limit",
                      "question_8_5_1_one_time"):
            self.assertIn(self.env.ref(f"gov_qms_audit.{xmlid}"), shipped)
        self.assertIn("data/qms_audit_question_data.xml", get_manifest("gov_qms_audit")["data"],
                      "data, not demo: there in a database without demo data")

    def test_the_bank_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["gov_qms_audit"], ["zh_CN"], overwrite=True)
        question = self.env.ref("gov_qms_audit.question_8_5_1_time_limit")
        self.assertEqual(question.name, "Take ten files of last month: was each handled within its time limit, "
                                        "and where it was not, is the reason recorded?")
        self.assertEqual(question.with_context(lang="zh_CN").name,
                         "抽取上月十份案卷：是否均在时限内办结？对超时的，是否记录了原因？")
        # a checklist is the audit team's shared record: generated in the company's language
        self.company.partner_id.lang = "zh_CN"
        audit = self.make_audit(clause_ids=[(6, 0, self.env.ref("gov_qms_docs.iso_clause_8_5_1").ids)])
        audit.with_user(self.auditor).action_generate_checklist()
        self.assertIn("抽取上月十份案卷：是否均在时限内办结？对超时的，是否记录了原因？",
                      audit.line_ids.mapped("question"))


@tagged("post_install", "-at_install")
class TestTextsInTheReadersLanguage(QmsAuditCase):
    """The same event, two readers: the reviewer reads Chinese, the clerk English. A to-do or an e-mail is in its
    recipient's language; a note in a chatter everybody reads is in the company's language, whoever acted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(list(MODULES), ["zh_CN"], overwrite=True)
        cls.reviewer.lang = "zh_CN"
        cls.section_head.lang = "zh_CN"
        (cls.clerk | cls.auditor | cls.auditor2).lang = "en_US"

    def test_a_to_do_in_each_assignees_language(self):
        document = self.make_document()
        revision = self.make_revision(document, reviewer_ids=[(6, 0, (self.reviewer | self.clerk).ids)])
        revision.with_user(self.author).action_submit()
        summaries = {activity.user_id: activity.summary for activity in revision.activity_ids}
        self.assertEqual(summaries[self.reviewer], "审核版次")
        self.assertEqual(summaries[self.clerk], "Review the revision")

    def test_a_note_of_the_system_in_the_companys_language(self):
        action = self.to_action_stage(self.make_nc()).sudo()
        action.owner_id.lang = "zh_CN"  # the owner reads Chinese, the company writes Chinese, the job runs in English
        self.company.partner_id.lang = "zh_CN"
        action.with_context(lang="en_US")._qms_ladder_remind()
        self.assertEqual(action.activity_ids.filtered(lambda a: a.summary == "即将到期").user_id, action.owner_id)
        self.assertTrue(action.message_ids.filtered(lambda m: "提醒：将于 2026-11-20 到期。" in str(m.body)))
        self.company.partner_id.lang = "en_US"
        action.with_context(lang="zh_CN")._qms_ladder_remind()  # a Chinese session: still the company's language
        self.assertTrue(action.message_ids.filtered(lambda m: "Reminder: due on 2026-11-20." in str(m.body)))

    def test_one_or_many_without_an_s_in_parentheses(self):
        self.make_nc(date_detected="2026-11-02")
        recurrence = self.make_nc(date_detected="2026-11-16")
        self.to_action_stage(recurrence)
        bodies = [body for body in recurrence.message_ids.mapped(lambda message: str(message.body))
                  if "Recurrence" in body]
        self.assertEqual(len(bodies), 1)
        self.assertIn("Recurrence: 1 similar nonconformity in the last 12 months", bodies[0])

    def test_the_audit_plan_in_each_recipients_language_with_a_table_of_labels(self):
        audit = self.make_audit(date_start="2026-12-14", date_end="2026-12-15",
                                objectives="Licences issued within the time limits",
                                auditee_ids=[(6, 0, (self.section_head | self.clerk).ids)])
        audit.with_user(self.qms_manager).action_notify()
        plans = audit.message_ids.filtered(lambda message: message.subtype_id == self.env.ref("mail.mt_comment"))
        chinese = plans.filtered(lambda message: message.subject.startswith("审核计划："))
        english = plans.filtered(lambda message: message.subject.startswith("Audit plan:"))
        self.assertEqual(len(chinese), 1)
        self.assertEqual(len(english), 1)
        self.assertIn(self.section_head.partner_id, chinese.partner_ids)
        self.assertNotIn(self.clerk.partner_id, chinese.partner_ids)
        self.assertIn(self.clerk.partner_id, english.partner_ids)
        self.assertIn("审核目标", str(chinese.body))
        self.assertIn("Objectives", str(english.body))
        for message in chinese | english:
            body = str(message.body)
            self.assertIn("Licences issued within the time limits", body)
            # a two-column table whose labels keep their width and never wrap, as the e-mail clients show it
            labels = re.findall(r"<th[^>]*>", body)
            self.assertGreaterEqual(len(labels), 6)
            self.assertTrue(all(re.search(r"white-space:\s*nowrap", label) and 'width="128"' in label
                                for label in labels), labels)
        self.assertEqual(audit.activity_ids.filtered(lambda a: a.user_id == self.section_head).summary, "做好审核准备")
        self.assertEqual(audit.activity_ids.filtered(lambda a: a.user_id == self.clerk).summary,
                         "Prepare for the audit")


@tagged("post_install", "-at_install")
class TestComplaintReplyLanguage(QmsCapaCase):
    """A citizen whose language is unknown gets the reply in the company's language."""

    def test_unknown_citizen_gets_the_companys_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.company.partner_id.lang = "zh_CN"
        complaint = self.env["qms.complaint"]
        self.assertEqual(complaint._qms_recipient_lang(self.env["res.partner"]), "zh_CN")
        self.assertEqual(complaint._qms_recipient_lang(self.clerk.partner_id), self.clerk.lang)
