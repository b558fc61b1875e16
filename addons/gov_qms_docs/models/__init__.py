# Mixins first: the models below inherit from them.
from . import qms_notification_mixin
from . import qms_deadline_mixin
from . import qms_locked_mixin
from . import qms_department_mixin
from . import hr_department
from . import hr_employee
from . import res_users
from . import res_company
from . import res_config_settings
from . import qms_iso_clause
from . import qms_process
from . import qms_process_control_point
from . import qms_process_kpi
from . import qms_document
from . import qms_document_revision
from . import qms_document_acknowledgement
from . import qms_document_change_request
