"""卷宗：权利义务告知、翻译、调解记录、更正与结案条件 (DESIGN §9.2, in Chinese)."""

from pytest_bdd import scenarios

scenarios("case_file_zh.feature")
