"""示例场景九：网络舆情反映的村务工程投诉，联合镇村干部调解，处理结果告知申请人 (DOMAIN §6, issue 14, in Chinese)."""

from pytest_bdd import scenarios

scenarios("online_opinion_zh.feature")
