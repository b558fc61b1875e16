from . import qms_reason_wizard
from . import qms_evidence_pack_wizard
from . import qms_dashboard
