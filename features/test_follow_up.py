"""Order-tracked follow-up (订单管理、跟踪问效)."""

from pytest_bdd import scenarios

scenarios("follow_up.feature")
