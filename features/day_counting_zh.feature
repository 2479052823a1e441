# language: zh-CN
@art33
功能: 期间按日计算（《民事诉讼法》第八十五条）
  期间开始的日，不计算在期间内；期间届满的最后一日，至北京时间当日二十四时止；期间届满的最后一日
  是法定休假日的，以法定休假日后的第一日为期间届满的日期。《人民调解法》第三十三条：双方当事人
  可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。协议在3月2日生效的，3月3日为
  第一日，4月1日为第三十日：当日23:59仍可申请，4月2日0:00期间届满，定时任务转入跟踪回访。

  背景:
    假如 永嘉县示范数据已就绪
    而且 现在是北京时间 2026-03-02 09:26
    而且 张建国 与 李秀英 在 江北社区第一网格 的 "contract" 纠纷调解协议已生效

  场景: 第三十日北京时间23:59，双方仍可共同申请司法确认
    当 定时任务于北京时间 2026-04-01 23:59 运行
    那么 "judicial_confirmation_window" 期限为北京时间 2026-04-01 当日结束，到期动作 "start_follow_up"
    而且 系统尚未对案件采取任何操作
    而且 案件状态为 "mediation.agreement_effective"
    当 调解员 mediator1 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 案件状态为 "court.applied"
    而且 "judicial_confirmation_window" 期限已取消

  场景: 第三十一日北京时间0:00，期间届满，定时任务转入跟踪回访
    当 定时任务于北京时间 2026-04-01 23:59 运行
    而且 定时任务于北京时间 2026-04-02 00:00 运行
    那么 系统已触发 "start_follow_up"，案件由 "mediation.agreement_effective" 转入 "follow_up.tracking"
    而且 案件状态为 "follow_up.tracking"
    而且 "return_visit_1" 期限为北京时间 2026-04-09 当日结束，到期动作 "remind"

  场景: 第三十一日北京时间0:00，定时任务尚未运行，申请也被拒绝
    当 现在是北京时间 2026-04-02 00:00
    而且 调解员 mediator1 代表全部当事人向 瓯北共享法庭 共同申请司法确认
    那么 被守卫 "within_confirmation_window" 拒绝
    而且 案件状态为 "mediation.agreement_effective"

  场景: 第三十日适逢国庆假期的，期间顺延至假期后第一个工作日结束
    假如 现在是北京时间 2026-09-01 10:00
    而且 王丽 与 好又多超市 在 江北社区第一网格 的 "consumer" 纠纷调解协议已生效
    那么 "judicial_confirmation_window" 期限为北京时间 2026-10-08 当日结束，到期动作 "start_follow_up"
    当 定时任务于北京时间 2026-10-08 23:59 运行
    那么 案件状态为 "mediation.agreement_effective"
    当 定时任务于北京时间 2026-10-09 00:00 运行
    那么 系统已触发 "start_follow_up"，案件由 "mediation.agreement_effective" 转入 "follow_up.tracking"
