"""Citizens on the web: the public complaint form (/complaint) and their work orders in the portal (/my/complaints).

The model side (rate limit, the citizen's portal contact and invitation, the record rule, the online call-back) is
tested directly; the form and the portal over HTTP as a browser without JavaScript uses them; and a tour of the
form runs in Chromium.
"""

import re

from odoo.addons.gov_qms_capa.models.qms_complaint_portal import MAX_ATTACHMENT_BYTES
from odoo.addons.gov_qms_capa.tests.common import QmsCapaCase
from odoo.addons.gov_qms_docs.tests.common import TODAY
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_values(**values):
    vals = {"kind": "complaint", "subject": "Counter closed during opening hours",
            "description": "The licensing counter was closed on Tuesday at 10:00.", "date_event": "2026-11-24",
            "location": "Service hall, counter 3", "citizen_name": "Zhou Citizen", "citizen_phone": "138 0000 1234",
            "citizen_email": ""}
    vals.update(values)
    return vals


@tagged("post_install", "-at_install")
class TestComplaintIntake(QmsCapaCase):
    """What the form and the portal rely on, without HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Complaint = cls.env["qms.complaint"]
        cls.company.qms_complaint_rate_limit = 2
        cls.citizen = new_test_user(cls.env, login="citizen_a@mail.example", groups="base.group_portal",
                                    name="Citizen A")
        cls.other_citizen = new_test_user(cls.env, login="citizen_b@mail.example", groups="base.group_portal",
                                          name="Citizen B")

    def web_file(self, source_ip="203.0.113.5", **values):
        vals = form_values(department_id=self.section.id, **values)
        vals["citizen_email"] = vals["citizen_email"] or False
        return self.Complaint._qms_web_file(vals, source_ip, lang="en_US")

    def complaint_of(self, user, **values):
        return self.Complaint.create({"subject": "Fee charged twice", "description": "Charged twice for one licence.",
                                      "channel": "web", "department_id": self.section.id,
                                      "partner_id": user.partner_id.id, **values})

    def answered(self, user, **values):
        complaint = self.complaint_of(user, **values)
        complaint.with_user(self.qms_manager).action_assign()
        complaint.with_user(self.section_head).write({"reply": "The second payment was refunded on 27 November."})
        complaint.with_user(self.section_head).action_answer()
        self.assertEqual(complaint.state, "answered")
        return complaint

    def test_filed_on_the_web_channel_by_the_complaint_centre(self):
        complaint, invited = self.web_file()
        self.assertEqual((complaint.channel, complaint.state, complaint.department_id),
                         ("web", "received", self.section))
        self.assertTrue(complaint.name.startswith("CP-2026-"))
        self.assertEqual(complaint.receiver_id, self.env.ref("base.user_root"), "no complaint centre user: OdooBot")
        self.assertEqual(complaint.sudo().source_ip, "203.0.113.5")
        self.assertFalse(complaint.partner_id, "no e-mail, no portal contact")
        self.assertFalse(invited)
        self.assertFalse(complaint.message_partner_ids, "the public user follows nothing")
        self.company.qms_complaint_receiver_id = self.clerk
        complaint, _invited = self.web_file()
        self.assertEqual(complaint.receiver_id, self.clerk)
        self.assertEqual(complaint.activity_ids.user_id, self.clerk, "the receiver owns it until it is assigned")
        with self.assertRaises(AccessError):  # the address is for the QMS office only
            complaint.with_user(self.section_head).read(["source_ip"])

    def test_rate_limit_per_address_and_per_email(self):
        limited = self.Complaint._qms_web_rate_limited
        self.assertFalse(limited("203.0.113.5", "zhou@mail.example", self.company))
        self.web_file(citizen_email="zhou@mail.example")
        self.assertFalse(limited("203.0.113.5", "zhou@mail.example", self.company))
        self.web_file()
        self.assertTrue(limited("203.0.113.5", None, self.company), "two from this address in the hour")
        self.assertFalse(limited("198.51.100.9", "other@mail.example", self.company))
        self.web_file(source_ip="198.51.100.10", citizen_email="zhou@mail.example")
        self.assertTrue(limited("192.0.2.1", "zhou@mail.example", self.company), "two with this e-mail in the hour")
        with freeze_time("2026-11-30 03:01:00"):
            self.assertFalse(limited("203.0.113.5", "zhou@mail.example", self.company), "an hour later")
        self.company.qms_complaint_rate_limit = 0
        self.assertFalse(limited("203.0.113.5", "zhou@mail.example", self.company), "0: no limit")

    def test_with_an_email_the_citizen_gets_a_portal_contact_and_an_invitation(self):
        complaint, invited = self.web_file(citizen_email="new.citizen@mail.example")
        self.assertTrue(invited)
        partner = complaint.partner_id
        self.assertEqual((partner.name, partner.email), ("Zhou Citizen", "new.citizen@mail.example"))
        user = partner.user_ids
        self.assertEqual(len(user), 1)
        self.assertTrue(user._is_portal())
        self.assertEqual(user.login, "new.citizen@mail.example")
        # an e-mail that already has an account: whoever typed it must not put a work order into that person's
        # portal (the citizen files signed in to see it there); the reply still goes to the e-mail
        again, invited = self.web_file(citizen_email="new.citizen@mail.example", citizen_name="Someone Else")
        self.assertEqual((again.partner_id, invited), (self.env["res.partner"], False))
        self.assertEqual(again.citizen_email, "new.citizen@mail.example")
        self.assertEqual(partner.name, "Zhou Citizen", "what is typed on the form changes no contact")
        known, invited = self.web_file(citizen_email=self.citizen.email)
        self.assertEqual((known.partner_id, invited), (self.env["res.partner"], False))
        self.assertNotIn(known, self.Complaint.with_user(self.citizen).search([]))
        staff, invited = self.web_file(citizen_email=self.clerk.email)
        self.assertEqual((staff.partner_id, invited), (self.env["res.partner"], False), "no portal for an employee")
        self.assertTrue(self.clerk._is_internal())

    def test_citizens_read_only_their_own_work_orders(self):
        mine = self.complaint_of(self.citizen) | self.complaint_of(self.citizen, subject="Queue too long")
        theirs = self.complaint_of(self.other_citizen)
        anonymous = self.Complaint.create({"subject": "Noise", "description": "Noise at night."})
        Portal = self.Complaint.with_user(self.citizen)
        self.assertEqual(Portal.search([]), mine)
        self.assertEqual(mine.with_user(self.citizen).mapped("subject"), mine.mapped("subject"))
        for complaint in theirs | anonymous:
            with self.subTest(complaint=complaint.subject), self.assertRaises(AccessError):
                complaint.with_user(self.citizen).read(["subject"])
        with self.assertRaises(AccessError):
            mine[0].with_user(self.citizen).write({"subject": "Changed"})
        with self.assertRaises(AccessError):
            Portal.create({"subject": "Direct", "description": "Through the API."})

    def test_online_callback_satisfied_closes(self):
        complaint = self.answered(self.citizen)
        complaint.with_user(self.citizen)._qms_portal_callback("satisfied", "")
        self.assertEqual((complaint.state, complaint.callback_result), ("closed", "satisfied"))
        note = complaint.message_ids.filtered(lambda message: "online by the citizen" in (message.body or ""))
        self.assertEqual(note.author_id, self.citizen.partner_id)

    def test_online_callback_dissatisfied_sends_it_back_for_rework(self):
        complaint = self.answered(self.citizen)
        with self.assertRaisesRegex(UserError, "still wrong"):
            complaint.with_user(self.citizen)._qms_portal_callback("dissatisfied", "  ")
        self.assertEqual(complaint.state, "answered")
        complaint.with_user(self.citizen)._qms_portal_callback("dissatisfied", "The refund never arrived.")
        self.assertEqual((complaint.state, complaint.rework_count, complaint.callback_note),
                         ("assigned", 1, "The refund never arrived."))
        todo = complaint.activity_ids.filtered(lambda activity: "not satisfied" in activity.summary)
        self.assertEqual(todo.user_id, self.section_head, "the handler learns it at once")
        self.assertIn("The refund never arrived.", todo.note)
        with self.assertRaisesRegex(UserError, "not waiting for your opinion"):
            complaint.with_user(self.citizen)._qms_portal_callback("satisfied", "")

    def test_only_the_citizen_gives_the_online_callback(self):
        complaint = self.answered(self.citizen)
        for user in (self.other_citizen, self.env.ref("base.public_user")):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                complaint.with_user(user)._qms_portal_callback("satisfied", "")
        with self.assertRaises(UserError):
            complaint.with_user(self.citizen)._qms_portal_callback("delighted", "")
        self.assertEqual(complaint.state, "answered")


class ComplaintHttpMixin:
    """The form as a browser without JavaScript sends it."""

    def csrf_from(self, response):
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        self.assertTrue(match, "the page carries a CSRF token")
        return match.group(1)

    def send_form(self, values, files=None, csrf=True, url="/complaint"):
        data = dict(values)
        if csrf:
            data["csrf_token"] = self.csrf_from(self.url_open(url))
        return self.url_open(url, data=data, files=files)

    def web_complaints(self):
        return self.env["qms.complaint"].search([("channel", "=", "web")])


@tagged("post_install", "-at_install", "qms_ui")
class TestComplaintPublicForm(ComplaintHttpMixin, HttpCase):
    """/complaint over HTTP: filed with its reference, or refused with a message and nothing stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Department = cls.env["hr.department"]
        cls.licensing = Department.create({"name": "Web Licensing Section", "qms_code": "WLIC"})
        cls.internal_only = Department.create({"name": "Web Canteen Team"})
        cls.env.company.qms_complaint_rate_limit = 5

    def setUp(self):
        super().setUp()
        freezer = freeze_time(TODAY, tick=True)
        freezer.start()
        self.addCleanup(freezer.stop)

    def assert_nothing_stored(self, before, response, status, *texts):
        self.assertEqual(response.status_code, status, response.text[:2000])
        self.assertEqual(self.web_complaints(), before, "nothing stored")
        self.assertNotIn("o_qms_complaint_reference", response.text)
        for text in texts:
            self.assertIn(text, response.text)

    def test_filed_end_to_end(self):
        page = self.url_open("/complaint")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Web Licensing Section", page.text, "the departments in the QMS are listed")
        self.assertNotIn("Web Canteen Team", page.text, "departments without a QMS code are not")
        self.assertIn('name="homepage"', page.text, "the honeypot is in the form")
        before = self.web_complaints()
        response = self.send_form(
            form_values(department_id=str(self.licensing.id), citizen_email="Zhou.Citizen@Mail.Example"),
            files={"attachment": ("receipt.pdf", PDF, "application/pdf")})
        self.assertEqual(response.status_code, 200, response.text[:2000])
        complaint = self.web_complaints() - before
        self.assertEqual(len(complaint), 1)
        self.assertIn(f'<p class="h3 o_qms_complaint_reference">{complaint.name}</p>', response.text)
        self.assertTrue(response.url.endswith("/complaint/sent"), "post/redirect/get")
        again = self.url_open("/complaint/sent")
        self.assertIn(complaint.name, again.text, "reloading the page shows the reference again")
        self.assertEqual(self.web_complaints() - before, complaint, "and sends nothing again")
        self.assertEqual((complaint.channel, complaint.kind, complaint.department_id, complaint.state),
                         ("web", "complaint", self.licensing, "received"))
        self.assertEqual(
            (complaint.subject, complaint.citizen_phone, complaint.citizen_email, str(complaint.date_event)),
            ("Counter closed during opening hours", "138 0000 1234", "zhou.citizen@mail.example", "2026-11-24"))
        self.assertEqual(complaint.source_ip, "127.0.0.1")
        self.assertTrue(complaint.date_deadline, "the time limit of its kind applies")
        attachment = self.env["ir.attachment"].search([("res_model", "=", "qms.complaint"),
                                                       ("res_id", "=", complaint.id)])
        self.assertEqual((attachment.name, attachment.mimetype, attachment.raw),
                         ("receipt.pdf", "application/pdf", PDF))
        self.assertEqual(complaint.partner_id.email, "zhou.citizen@mail.example")
        self.assertTrue(complaint.partner_id.user_ids._is_portal(), "invited to the portal")

    def test_refused_inputs_store_nothing(self):
        before = self.web_complaints()
        response = self.url_open("/complaint/sent", allow_redirects=False)
        self.assertEqual(response.status_code, 303, "nothing sent in this session: back to the form")
        self.assertTrue(response.headers["Location"].endswith("/complaint"))
        good = form_values(department_id=str(self.licensing.id))
        with self.subTest("missing fields"):
            response = self.send_form({"kind": "complaint", "subject": "Only a subject"})
            self.assert_nothing_stored(before, response, 400, "Tell us what happened.",
                                       "Give your name, so that we can answer you.", "Give a phone number",
                                       'value="Only a subject"')
        with self.subTest("bad values"):
            response = self.send_form({**good, "department_id": str(self.internal_only.id), "kind": "gossip",
                                       "citizen_email": "not an address", "citizen_phone": "call me",
                                       "date_event": "2026-12-24"})
            self.assert_nothing_stored(before, response, 400, "Choose a department from the list.",
                                       "Choose what kind of request this is.", "This is not an e-mail address",
                                       "This is not a phone number", "This date is in the future.")
        with self.subTest("oversize attachment"):
            big = PDF + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF))
            response = self.send_form(good, files={"attachment": ("scan.pdf", big, "application/pdf")})
            self.assert_nothing_stored(before, response, 400, "The file is too large: at most 5 MB.",
                                       "Counter closed during opening hours")
        with self.subTest("wrong type"):
            for name, content in (("notes.exe", b"MZ\x90\x00"), ("photo.pdf", PNG), ("letter.txt", b"Dear sir")):
                response = self.send_form(good, files={"attachment": (name, content, "application/pdf")})
                self.assert_nothing_stored(before, response, 400, "Only a PDF, JPG or PNG file can be attached.")
        with self.subTest("CSRF token missing or forged"):
            response = self.send_form(good, csrf=False)
            self.assert_nothing_stored(before, response, 403, "not sent from our site",
                                       "Counter closed during opening hours")
            response = self.url_open("/complaint", data={**good, "csrf_token": "0" * 40 + "o9999999999"})
            self.assert_nothing_stored(before, response, 403, "not sent from our site")
        with self.subTest("honeypot filled"):
            response = self.send_form({**good, "homepage": "http://cheap-watches.example"})
            self.assert_nothing_stored(before, response, 200, "Thank you")
            self.assertNotIn("CP-", response.text, "the bot learns nothing")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Zhou Citizen")]))

    def test_rate_limit_per_address_and_per_email(self):
        self.env.company.qms_complaint_rate_limit = 2
        Complaint = self.env["qms.complaint"]
        Complaint.create([{"subject": f"Earlier {n}", "description": "Earlier.", "channel": "web",
                           "source_ip": "198.51.100.7", "citizen_email": "busy@mail.example"} for n in range(2)])
        before = self.web_complaints()
        response = self.send_form(form_values(citizen_email="busy@mail.example"))
        self.assert_nothing_stored(before, response, 429, "the most we accept", 'value="busy@mail.example"')
        response = self.send_form(form_values())
        self.assertEqual(response.status_code, 200, "another e-mail, another address: accepted")
        self.assertEqual(len(self.web_complaints() - before), 1)
        response = self.send_form(form_values(subject="Second one"))
        self.assertEqual(response.status_code, 200)
        before = self.web_complaints()
        response = self.send_form(form_values(subject="Third one"))
        self.assert_nothing_stored(before, response, 429, "the most we accept", "Third one")

    def test_messages_in_the_citizens_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["gov_qms_capa"], ["zh_CN"], overwrite=True)
        url = f"/{self.env['res.lang']._lang_get('zh_CN').url_code}/complaint"
        before = self.web_complaints()
        page = self.url_open(url)
        self.assertIn("您的诉求", page.text)
        self.assertIn(f'action="{url}"', page.text, "the form is sent back in the same language")
        response = self.url_open(url, data={**form_values(subject=""), "csrf_token": self.csrf_from(page)})
        self.assert_nothing_stored(before, response, 400, "请用一句话概括您的诉求。", "138 0000 1234")


    def test_a_missing_page_says_so_plainly(self):
        response = self.url_open("/complaint/no-such-page")
        self.assertEqual(response.status_code, 404)
        self.assertIn("The page was not found", response.text)
        for joke in ("Don't panic", "popular pages", "/contactus", "Oops"):
            self.assertNotIn(joke, response.text)


@tagged("post_install", "-at_install", "qms_ui")
class TestComplaintPortal(ComplaintHttpMixin, HttpCase):
    """/my/complaints: each citizen sees their own work orders only, and rates the answer online."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.department = cls.env["hr.department"].create({"name": "Portal Licensing Section", "qms_code": "PLIC"})
        cls.citizen = new_test_user(cls.env, login="citizen_a", groups="base.group_portal", name="Citizen A",
                                    email="citizen_a@mail.example")
        cls.other_citizen = new_test_user(cls.env, login="citizen_b", groups="base.group_portal", name="Citizen B",
                                          email="citizen_b@mail.example")

    def setUp(self):
        super().setUp()
        freezer = freeze_time(TODAY, tick=True)
        freezer.start()
        self.addCleanup(freezer.stop)

    def complaint_of(self, user, subject, answered=False):
        complaint = self.env["qms.complaint"].create({
            "subject": subject, "description": "What happened.", "channel": "web", "department_id": self.department.id,
            "partner_id": user.partner_id.id, "citizen_email": user.email})
        if answered:
            complaint.action_assign()
            complaint.reply = "The second payment was refunded on 27 November."
            complaint.action_answer()
        return complaint

    def test_the_list_shows_only_the_citizens_own(self):
        mine = self.complaint_of(self.citizen, "Fee charged twice") | self.complaint_of(self.citizen, "Queue too long")
        theirs = self.complaint_of(self.other_citizen, "Rude answer at counter 5")
        self.authenticate("citizen_a", "citizen_a")
        response = self.url_open("/my/complaints")
        self.assertEqual(response.status_code, 200)
        for complaint in mine:
            self.assertIn(complaint.name, response.text)
            self.assertIn(complaint.subject, response.text)
        self.assertNotIn(theirs.name, response.text)
        self.assertNotIn(theirs.subject, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["qms_complaint_count"]})
        self.assertEqual(counters["qms_complaint_count"], 2)
        self.assertIn("/my/complaints", self.url_open("/my").text, "an entry on the portal home")
        response = self.url_open(f"/my/complaints/{mine[0].id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(mine[0].subject, response.text)
        self.assertEqual(self.url_open(f"/my/complaints/{theirs.id}").status_code, 404)
        self.assertEqual(self.url_open("/my/complaints/999999999").status_code, 404)

    def test_online_callback(self):
        satisfied = self.complaint_of(self.citizen, "Fee charged twice", answered=True)
        dissatisfied = self.complaint_of(self.citizen, "Queue too long", answered=True)
        self.authenticate("citizen_b", "citizen_b")
        page = self.url_open(f"/my/complaints/{satisfied.id}")
        self.assertEqual(page.status_code, 404)
        token = self.csrf_from(self.url_open("/complaint"))
        response = self.url_open(f"/my/complaints/{satisfied.id}/callback",
                                 data={"csrf_token": token, "result": "dissatisfied", "note": "Not mine, but."})
        self.assertEqual(response.status_code, 404, "another citizen's work order")
        self.assertEqual(satisfied.state, "answered")

        self.authenticate("citizen_a", "citizen_a")
        page = self.url_open(f"/my/complaints/{satisfied.id}")
        self.assertIn("The second payment was refunded on 27 November.", page.text, "the reply is shown")
        self.assertIn("o_qms_callback_form", page.text)
        url = f"/my/complaints/{satisfied.id}/callback"
        self.assertEqual(self.url_open(url, data={"result": "satisfied"}).status_code, 400, "CSRF protected")
        self.assertEqual(satisfied.state, "answered")
        response = self.url_open(url, data={"csrf_token": self.csrf_from(page), "result": "satisfied"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your opinion.", response.text)
        self.env.invalidate_all()
        self.assertEqual((satisfied.state, satisfied.callback_result), ("closed", "satisfied"))

        page = self.url_open(f"/my/complaints/{dissatisfied.id}")
        url = f"/my/complaints/{dissatisfied.id}/callback"
        response = self.url_open(url, data={"csrf_token": self.csrf_from(page), "result": "dissatisfied"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("so that the department can work on it again", response.text)
        self.env.invalidate_all()
        self.assertEqual(dissatisfied.state, "answered")
        response = self.url_open(url, data={"csrf_token": self.csrf_from(response), "result": "dissatisfied",
                                            "note": "Still forty minutes of waiting."})
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual((dissatisfied.state, dissatisfied.rework_count, dissatisfied.callback_result),
                         ("assigned", 1, "dissatisfied"))
        self.assertIn("working on your request again", self.url_open(f"/my/complaints/{dissatisfied.id}").text)


@tagged("post_install", "-at_install", "qms_ui")
class TestComplaintFormTour(HttpCase):
    """A citizen fills the public form in, in Chromium, without signing in."""

    def test_public_form_tour(self):
        department = self.env["hr.department"].create({"name": "Tour Licensing Section", "qms_code": "TLIC"})
        self.env.company.qms_complaint_rate_limit = 0
        self.start_tour("/complaint", "gov_qms_capa_complaint_form_tour")
        complaint = self.env["qms.complaint"].search([("subject", "=", "Counter closed during opening hours")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual((complaint.channel, complaint.department_id, complaint.citizen_name, complaint.location),
                         ("web", department, "Tour Citizen", "Service hall, counter 3"))
