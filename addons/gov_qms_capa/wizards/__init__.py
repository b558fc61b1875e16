from . import qms_reason_wizard
from . import qms_action_extension_wizard
from . import qms_change_request_wizard
from . import qms_complaint_wizard
from . import qms_complaint_import_wizard
from . import qms_config_settings
