from . import qms_complaint_analysis
from . import qms_nonconformity_analysis
from . import qms_supervised_item
