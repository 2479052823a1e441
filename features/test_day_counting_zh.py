"""期间按日计算：司法确认申请期间至第三十日北京时间二十四时 (issue 14, point 4; in Chinese)."""

from pytest_bdd import scenarios

from features.steps.worker_clock import *  # noqa: F403  (the clock runs the timer worker)

scenarios("day_counting_zh.feature")
