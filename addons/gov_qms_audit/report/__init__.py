from . import qms_auditor_workload
