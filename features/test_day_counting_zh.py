"""期间按日计算：司法确认申请期间至第三十日北京时间二十四时 (issue 14, point 4; in Chinese)."""

from pytest_bdd import scenarios

from features.steps.day_counting import *  # noqa: F403  (this feature's own steps)
from features.steps.deadlines import *  # noqa: F403  (the timer worker's steps)

scenarios("day_counting_zh.feature")
