"""示例场景五：赡养纠纷经共享法庭司法确认 (DOMAIN §5, scenario 5, in Chinese)."""

from pytest_bdd import scenarios

scenarios("elder_maintenance_zh.feature")
