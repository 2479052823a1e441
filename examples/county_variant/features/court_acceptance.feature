# language: zh-CN
@policy
功能: 法院受理司法确认申请的三日按工作日计算
  本县与共享法庭约定：法院在收到司法确认申请后三个工作日内决定是否受理，周末和法定节假日
  不计入，期限至第三个工作日北京时间二十四时止。

  背景:
    假如 永嘉县示范数据已就绪
    而且 今天是 2026-03-05
    而且 网格员 grid2 在 菇溪村网格 登记了 王老汉 与 王大 之间的 "maintenance" 纠纷
    而且 调解员 mediator2 已研判为 "maintenance" 纠纷，风险等级 "low"
    而且 调解员 mediator2 已指派 mediator2 以 "professional" 机制、"judicial" 途径调解
    而且 调解员 mediator2 已记录全部当事人同意调解
    而且 调解员 mediator2 已告知全部当事人权利义务
    而且 调解员 mediator2 已开始调解
    而且 调解员 mediator2 起草了调解协议 "王大每月5日前向王老汉支付赡养费八百元"
    而且 调解员 mediator2 已组织各方当事人和调解员签名并加盖调委会印章，协议生效

  场景: 周四申请的，跨过周末，受理期限至下周二结束
    当 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 案件状态为 "court.applied"
    而且 "court_acceptance" 期限为北京时间 2026-03-10 当日结束，到期动作 "supervise"

  场景: 法院在第三个工作日受理的，未超期
    当 调解员 mediator2 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    而且 过了 5 天
    而且 法官 court1 受理申请
    那么 案件状态为 "court.under_review"
    而且 "court_acceptance" 期限已取消
