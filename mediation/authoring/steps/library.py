"""Every step of the library in one namespace: `from mediation.authoring.steps.library import *`."""

from mediation.authoring.steps.case_file import *  # noqa: F403
from mediation.authoring.steps.co_mediation import *  # noqa: F403
from mediation.authoring.steps.common import *  # noqa: F403
from mediation.authoring.steps.court import *  # noqa: F403
from mediation.authoring.steps.day_counting import *  # noqa: F403
from mediation.authoring.steps.deadlines import *  # noqa: F403
from mediation.authoring.steps.follow_up import *  # noqa: F403
from mediation.authoring.steps.joint import *  # noqa: F403
from mediation.authoring.steps.mediation import *  # noqa: F403
from mediation.authoring.steps.report_back import *  # noqa: F403
from mediation.authoring.steps.screening import *  # noqa: F403

STEP_MODULES = ("case_file", "co_mediation", "common", "court", "day_counting", "deadlines", "follow_up",
                "joint", "mediation", "report_back", "screening")
