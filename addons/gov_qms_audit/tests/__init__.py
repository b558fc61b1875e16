from . import test_audit
from . import test_coverage
from . import test_notification
from . import test_programme
from . import test_ui_tour
