from . import test_access
from . import test_action
from . import test_escalation
from . import test_nonconformity_flow
from . import test_reporting
from . import test_scorecard
from . import test_time_limits
from . import test_performance
