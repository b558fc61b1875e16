from . import test_audit
from . import test_coverage
from . import test_notification
from . import test_programme
from . import test_ui_tour
from . import test_integrity
from . import test_rpc_client
from . import test_state_machine
