"""示例场景八：浙闽边界“铁盟”联调站跨省协同调解 (DESIGN §9.5, issue 14 scenario 8, in Chinese)."""

from pytest_bdd import scenarios

scenarios("co_mediation_zh.feature")
