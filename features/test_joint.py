"""Department linkage, the two-way closed loop (部门联动，双向闭环)."""

from pytest_bdd import scenarios

scenarios("joint.feature")
