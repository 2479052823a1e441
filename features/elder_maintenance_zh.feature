# language: zh-CN
@scenario5 @art33
功能: 赡养纠纷经共享法庭司法确认（示例场景五）
  五老乡贤调解团调解老人赡养纠纷，达成书面调解协议。依照《人民调解法》第三十三条，
  双方当事人可以自协议生效之日起三十日内共同向人民法院申请司法确认；法院在三日内决定
  是否受理，受理后十五日内作出裁定。确认后一方拒绝履行的，对方可以申请强制执行。
  涉及婚姻、收养等身份关系或者物权确权的条款，不予司法确认。

  背景:
    假如 永嘉县示范数据已就绪
    而且 今天是 2026-03-02
    而且 网格员 grid2 在 菇溪村网格 登记了 王老汉 与 王大 之间的 "maintenance" 纠纷
    而且 调解员 mediator2 已研判为 "maintenance" 纠纷，风险等级 "low"
    而且 调解员 mediator2 已指派 mediator2 以 "professional" 机制、"judicial" 途径调解
    而且 调解员 mediator2 已记录全部当事人同意调解
    而且 调解员 mediator2 已告知全部当事人权利义务
    而且 调解员 mediator2 已开始调解

  场景: 双方在协议生效后第12天共同申请，法院第2天受理、第10天裁定确认
    假如 调解员 mediator2 起草了调解协议 "王大每月5日前向王老汉支付赡养费八百元，并承担医疗费用的一半"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效
    当 过了 12 天
    而且 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 案件状态为 "court.applied"
    而且 "court_acceptance" 期限为 2026-03-17 09:00，到期动作 "supervise"
    当 过了 2 天
    而且 法官 court1 受理申请
    那么 案件状态为 "court.under_review"
    而且 "court_acceptance" 期限已取消
    而且 "court_ruling" 期限为 2026-03-31 09:00，到期动作 "supervise"
    当 过了 10 天
    而且 法官 court1 以裁定书 "(2026)浙0324民特45号" 确认协议有效
    那么 案件状态为 "follow_up.tracking"
    而且 已记录裁定书 "(2026)浙0324民特45号"

  @art31
  场景: 司法确认后义务人拒不履行，转申请强制执行
    假如 调解员 mediator2 起草了调解协议 "王大每月5日前向王老汉支付赡养费八百元"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效
    而且 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    而且 法官 court1 受理申请
    而且 法官 court1 以裁定书 "(2026)浙0324民特46号" 确认协议有效
    当 过了 40 天
    而且 网格员 grid2 回访结果为 "not_performed"
    而且 调解员 mediator2 报告当事人不履行协议："王大连续两个月未支付赡养费"
    那么 案件状态为 "closed.enforcement"

  场景: 仅一方申请的，不能司法确认
    假如 调解员 mediator2 起草了调解协议 "王大每月5日前向王老汉支付赡养费八百元"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效
    当 调解员 mediator2 仅代表 王老汉 向 瓯北共享法庭 申请司法确认
    那么 被守卫 "joint_application" 拒绝，理由包含 "all parties"
    而且 案件状态为 "mediation.agreement_effective"

  场景: 协议生效超过三十日才申请的，不能司法确认
    假如 调解员 mediator2 起草了调解协议 "王大每月5日前向王老汉支付赡养费八百元"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效
    当 过了 31 天
    而且 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 被守卫 "within_confirmation_window" 拒绝

  场景: 协议含离婚（婚姻关系）条款的，不能司法确认
    假如 调解员 mediator2 起草了含 "maintenance, marriage_status" 条款的调解协议 "王大与其妻解除婚姻关系，由王大承担赡养义务"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效
    当 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 被守卫 "category_not_excluded" 拒绝，理由包含 "marriage_status"
    而且 案件状态为 "mediation.agreement_effective"
