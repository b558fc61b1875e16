from odoo import fields, http
from odoo.http import content_disposition, request


class QmsMasterListController(http.Controller):
    @http.route("/gov_qms/master_list.xlsx", type="http", auth="user", methods=["GET"])
    def master_list_xlsx(self, tier=None, department_id=None, include_obsolete="0"):
        documents = request.env["qms.document"]._qms_master_list_documents(
            tier=tier or None, department_id=int(department_id) if department_id else None,
            include_obsolete=include_obsolete == "1")
        content = documents._qms_master_list_xlsx()
        filename = f"master_list_{fields.Date.context_today(documents)}.xlsx"
        return request.make_response(content, headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", content_disposition(filename)),
        ])
