from odoo.tests import new_test_user, tagged

from .tour_common import QmsTourCase

# What the people of the tour write, in the language of the run (the README shows both pictures).
CONTENT = {
    "en_US": {
        "department": "Licensing Section",
        "title": "Handling of building permit applications",
        "body": "<h2>1. Receiving the application</h2><p>The counter checks the application against the list of "
                "documents and issues a receipt the same day.</p><h2>2. Site inspection</h2><p>An inspector visits "
                "the site within three working days and records what was seen on form QF-012.</p>"
                "<h2>3. Decision</h2><p>The section head decides within ten working days of receipt.</p>",
        "previous": "<p>The counter checks the application; the section head decides within fifteen working days."
                    "</p>",
        "summary": "Site inspection within three working days; decision within ten working days instead of fifteen.",
        "names": {"controller": "Li Xiaomei", "author": "He Yun", "reviewer": "Zhou Qiang", "reader": "Gao Peng"},
    },
    "zh_CN": {
        "department": "许可科",
        "title": "建设工程规划许可申请办理程序",
        "body": "<h2>1. 受理申请</h2><p>窗口对照材料清单审核申请材料，当日出具受理回执。</p><h2>2. 现场踏勘</h2>"
                "<p>踏勘人员在三个工作日内到现场踏勘，并在 QF-012 表上记录所见情况。</p><h2>3. 作出决定</h2>"
                "<p>科室负责人在受理之日起十个工作日内作出决定。</p>",
        "previous": "<p>窗口审核申请材料；科室负责人在十五个工作日内作出决定。</p>",
        "summary": "增加三个工作日内现场踏勘；办结时限由十五个工作日缩短为十个工作日。",
        "names": {"controller": "李晓梅", "author": "何云", "reviewer": "周强", "reader": "高鹏"},
    },
}


@tagged("post_install", "-at_install", "qms_ui")
class TestRevisionApprovalTour(QmsTourCase):
    """A document controller approves a revision a reviewer has reviewed; a reader opens it, then confirms
    having read and understood it. One method per language (each runs in its own transaction); the last screen
    of each tour is kept as a README picture (revision_approve, revision_to_read, revision_acknowledged)."""

    def _setup(self, lang):
        content = CONTENT[lang]
        names = content["names"]
        users = {
            role: new_test_user(self.env, login=f"tour_{role}", name=names[role], email=f"tour_{role}@city.example",
                                groups=groups)
            for role, groups in [("controller", "base.group_user,gov_qms_docs.group_qms_document_controller"),
                                 ("author", "base.group_user"), ("reviewer", "base.group_user"),
                                 ("reader", "base.group_user")]
        }
        for user in users.values():
            self.qms_set_lang(user.login, lang)
        env = self.env(context=dict(self.env.context, lang=lang))  # the to-dos and notes in the people's language
        department = env["hr.department"].create({"name": content["department"], "qms_code": "TLIC"})
        document = env["qms.document"].create({
            "name": content["title"], "tier": "procedure", "department_id": department.id,
            "owner_id": users["author"].id, "distribution_user_ids": [(6, 0, users["reader"].ids)]})
        Revision = env["qms.document.revision"]
        first = Revision.with_user(users["author"]).create({
            "document_id": document.id, "body": content["previous"], "approver_id": users["controller"].id})
        first.with_user(users["author"]).action_submit()
        first.with_user(users["controller"]).action_approve()
        first.ack_ids.with_user(users["reader"]).action_open_revision()
        first.ack_ids.with_user(users["reader"]).action_acknowledge()
        revision = Revision.with_user(users["author"]).create({
            "document_id": document.id, "body": content["body"], "change_summary": content["summary"],
            "approver_id": users["controller"].id, "reviewer_ids": [(6, 0, users["reviewer"].ids)]})
        revision.with_user(users["author"]).action_submit()
        revision.with_user(users["reviewer"]).action_review()
        return users, revision

    def _run(self, lang):
        users, revision = self._setup(lang)
        self.qms_tour("/odoo/action-gov_qms_docs.qms_document_revision_action_to_approve",
                      "gov_qms_revision_approve_tour", login="tour_controller", screenshot="revision_approve",
                      lang=lang)
        self.assertEqual(revision.state, "effective")
        self.assertEqual(revision.name, "A/1", "the second revision of the document: the next amendment")
        self.assertEqual(revision.date_approved.date(), revision.effective_date)
        ack = revision.ack_ids
        self.assertEqual(ack.user_id, users["reader"], "the reader is asked to read the revision in force")
        self.assertEqual(ack.state, "pending")

        self.qms_tour("/odoo/action-gov_qms_docs.qms_document_acknowledgement_action_mine",
                      "gov_qms_revision_open_tour", login="tour_reader", screenshot="revision_to_read", lang=lang)
        self.assertTrue(ack.date_opened, "opening the revision is recorded on the server")
        self.assertEqual(ack.state, "pending")

        self.qms_tour("/odoo/action-gov_qms_docs.qms_document_acknowledgement_action_mine",
                      "gov_qms_revision_acknowledge_tour", login="tour_reader", screenshot="revision_acknowledged",
                      lang=lang)
        self.assertEqual(ack.state, "acknowledged")
        self.assertGreaterEqual(ack.date_acknowledged, ack.date_opened)
        self.assertFalse(ack.activity_ids, "the reader's to-do is done")

    def test_english(self):
        self._run("en_US")

    def test_chinese(self):
        self._run("zh_CN")
