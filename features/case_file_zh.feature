# language: zh-CN
功能: 卷宗：权利义务告知、翻译、证据、调解记录、更正，材料齐全方可结案
  依照《人民调解工作若干规定》第三十条，调解前应当告知当事人的权利义务；不通晓当地通用语言的
  当事人，应当为其提供翻译。调解过程应当制作调解记录（《人民调解法》第二十七条），更正案情
  须写明理由，原记载保留在记录中。结案前，受理登记、权利义务告知、调解记录、调解协议（或口头
  协议记录）和回访记录须齐全（策略 required_for_closure），缺少的材料以中文列明。

  背景:
    假如 永嘉县示范数据已就绪
    而且 今天是 2026-03-02
    而且 网格员 grid1 在 江北社区第一网格 登记了 张建国 与 艾力·买买提 之间的 "contract" 纠纷，艾力·买买提 为维吾尔族、讲维吾尔语、需要翻译
    而且 调解员 mediator1 已研判为 "contract" 纠纷，风险等级 "low"
    而且 调解员 mediator1 已指派 mediator1 以 "joint" 机制、"grassroots" 途径调解
    而且 调解员 mediator1 已记录全部当事人同意调解

  场景: 告知权利、配备维吾尔语翻译、两次调解记录、更正案情，追加的第三人未获告知前不能结案
    当 调解员 mediator1 开始调解
    那么 被守卫 "rights_notified_to_every_party" 拒绝，中文理由包含 "权利义务告知"
    当 调解员 mediator1 告知全部当事人权利义务
    而且 调解员 mediator1 开始调解
    那么 被守卫 "interpreter_present_when_needed" 拒绝，中文理由包含 "翻译"
    当 调解员 mediator1 添加翻译人员 阿依古丽（维吾尔语）
    而且 调解员 mediator1 开始调解
    那么 案件状态为 "mediation.in_session"
    当 调解员 mediator1 记录调解笔录，结果 "partial"
    而且 过了 1 天
    而且 调解员 mediator1 记录调解笔录，结果 "agreed"
    那么 案件已有 2 份调解记录
    当 调解员 mediator1 上传证据照片 "欠条.png"，说明 "艾力·买买提出具的欠条"
    当 调解员 mediator1 更正案情为 "艾力·买买提承租张建国的商铺，拖欠房租两个月（原记三个月有误）。"，理由 "受理时租期记录有误"
    那么 最后一条事件保留了更正前的案情 "张建国与艾力·买买提之间发生纠纷，经grid_screening渠道登记。"
    当 调解员 mediator1 追加第三人 王立新，理由 "王立新系商铺共有人"
    而且 调解员 mediator1 记录口头协议 "艾力·买买提于本月底前付清所欠房租，张建国不再追究违约金"
    那么 案件状态为 "follow_up.tracking"
    当 过了 7 天
    而且 网格员 grid1 回访结果为 "stable"
    而且 过了 23 天
    而且 网格员 grid1 回访结果为 "stable"
    而且 调解员 mediator1 核查办结
    那么 被守卫 "case_file_complete" 拒绝，中文理由包含 "权利义务告知"
    而且 案件状态为 "follow_up.tracking"
    当 调解员 mediator1 告知王立新权利义务
    而且 调解员 mediator1 核查办结
    那么 案件状态为 "closed.resolved"
    而且 mediator1 打印的卷宗列明证据 "欠条.png" 及其 SHA-256、翻译人员 阿依古丽、2 份调解记录和更正后的案情 "艾力·买买提承租张建国的商铺，拖欠房租两个月（原记三个月有误）。"

  场景: 没有调解记录的案件不能结案，拒绝理由列明所缺材料
    假如 调解员 mediator1 已告知全部当事人权利义务
    而且 调解员 mediator1 已添加翻译人员 阿依古丽（维吾尔语）
    而且 调解员 mediator1 已开始调解
    而且 调解员 mediator1 已记录口头协议 "双方互谅互让"
    而且 过了 7 天
    而且 网格员 grid1 回访结果为 "stable"
    而且 过了 23 天
    而且 网格员 grid1 回访结果为 "stable"
    当 调解员 mediator1 核查办结
    那么 被守卫 "case_file_complete" 拒绝，中文理由包含 "尚缺：调解记录"
    当 调解员 mediator1 记录调解笔录，结果 "agreed"
    而且 调解员 mediator1 核查办结
    那么 案件状态为 "closed.resolved"
