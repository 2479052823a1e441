Feature: Department linkage, the two-way closed loop (部门联动，双向闭环)
  Disputes that are not for the grid or the police are transferred to the department in
  charge, which acknowledges within one working day on the Chinese calendar (调休 included),
  handles the case and reports back. The case closes only after the referring unit has
  received and confirmed the feedback. A department that returns a referral twice sends
  the case up to the county dispute-resolution centre.

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02
    And a "consumer" dispute between 王丽 and 好又多超市 in 江北社区第一网格 has reached "screening.triaged"

  Scenario: A referral names the department and starts its acknowledgement clock
    When mediator1 refers the case to 永嘉县市场监督管理局 because "商品质量问题，属市场监管职责"
    Then the case is in state "joint.referred"
    And the case is referred to 永嘉县市场监督管理局
    And "department" is notified of "case_referred"
    And a pending "department_acknowledgement" deadline is due by the end of 2026-03-03 China time with the action "supervise"

  Scenario: A referral needs a department and a reason
    When mediator1 fires "refer_department" with:
      | department | 永嘉县市场监督管理局 |
    Then it is refused as invalid "data.reason"
    When mediator1 fires "refer_department" with:
      | department | 瓯北共享法庭 |
      | reason     | 不是部门       |
    Then it is refused as invalid "data.department"

  @calendar
  Scenario Outline: The acknowledgement is due one working day later on the Chinese calendar
    Given today is <referred on>
    When mediator1 refers the case to 永嘉县市场监督管理局 because "商品质量问题"
    Then a pending "department_acknowledgement" deadline is due by the end of <due> China time with the action "supervise"

    Examples: 
      | referred on | due        | why                                           |
      | 2026-03-04  | 2026-03-05 | an ordinary Wednesday                         |
      | 2026-03-06  | 2026-03-09 | Friday: the weekend does not count            |
      | 2026-02-13  | 2026-02-14 | Saturday 14 February is a make-up working day |
      | 2026-09-30  | 2026-10-08 | the National Day holiday does not count       |

  Scenario: The department acknowledges the referral
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    When dept_sj acknowledges the referral
    Then the case is in state "joint.in_progress"
    And the "department_acknowledgement" deadline is cancelled

  Scenario: A returned referral goes back to triage
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    When dept_sj returns the referral because "属于消费者协会调解范围"
    Then the case is in state "screening.triaged"
    And the referral has been returned 1 time
    And the case is no longer referred to any department
    And the case is at the "grid" level of the ladder
    And the "department_acknowledgement" deadline is cancelled

  Scenario: The second return sends the case up to the county centre
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj returned the referral because "不属于本部门职责"
    And mediator1 referred the case to 永嘉县人力资源和社会保障局 because "涉及用工问题"
    When dept_rs returns the referral because "不属于本部门职责"
    Then the case is in state "screening.triaged"
    And the referral has been returned 2 times
    And the case is at the "county" level of the ladder
    And "county_centre" is notified of "referral_returned_twice"

  Scenario: Resolved feedback, once confirmed by the referring unit, moves the case to follow-up
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj acknowledged the referral
    When dept_sj submits "resolved" feedback: "经营者已退货退款，消费者表示满意"
    Then the case is in state "joint.feedback_received"
    And the recorded feedback is "resolved": "经营者已退货退款，消费者表示满意"
    When mediator1 confirms the feedback
    Then the case is in state "follow_up.tracking"

  Scenario: Unresolved feedback, once confirmed, sends the case back to triage
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj acknowledged the referral
    And dept_sj submitted "unresolved" feedback: "经营者拒绝退款，调解未果"
    When mediator1 confirms the feedback
    Then the case is in state "screening.triaged"

  Scenario: The referring unit rejects incomplete feedback and the department works on
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj acknowledged the referral
    And dept_sj submitted "resolved" feedback: "已处理"
    When mediator1 rejects the feedback because "反馈过于简单，消费者表示尚未退款"
    Then the case is in state "joint.in_progress"
    And the last event records the reason "反馈过于简单，消费者表示尚未退款"
    When dept_sj submits "resolved" feedback: "经营者已于3月5日退款，消费者签字确认"
    Then the case is in state "joint.feedback_received"

  Scenario: Feedback needs an outcome and a summary
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj acknowledged the referral
    When dept_sj fires "submit_feedback" with:
      | outcome | settled |
      | summary | 已处理  |
    Then it is refused as invalid "data.outcome"

  @roles
  Scenario: A department cannot close its own loop
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    And dept_sj acknowledged the referral
    And dept_sj submitted "resolved" feedback: "经营者已退货退款"
    When dept_sj confirms the feedback
    Then it is refused as Forbidden

  @roles
  Scenario: Only the department acknowledges a referral
    Given mediator1 referred the case to 永嘉县市场监督管理局 because "商品质量问题"
    When mediator1 acknowledges the referral
    Then it is refused as Forbidden
