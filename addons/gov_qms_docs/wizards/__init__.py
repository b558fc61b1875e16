from . import qms_reason_wizard
from . import qms_master_list_wizard
from . import qms_deadline_wizard
from . import qms_config_settings
