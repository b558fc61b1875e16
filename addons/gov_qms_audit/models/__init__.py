from . import qms_auditor
from . import qms_auditor_evaluation
from . import qms_audit_question
from . import qms_audit
from . import qms_audit_line
from . import qms_audit_finding
