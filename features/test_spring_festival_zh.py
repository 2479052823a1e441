"""跨越2027年春节的期限：估算的法定节假日，录入国务院放假安排后重新计算 (issue 14, point 6; in Chinese)."""

from pytest_bdd import scenarios

from features.steps.holidays import *  # noqa: F403  (this feature's own steps)

scenarios("spring_festival_zh.feature")
