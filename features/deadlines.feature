Feature: Deadlines fall due and the system acts (timers, 督办, closed loop)
  Time passes in these scenarios: "When 25 days pass" moves the clock and runs the timer
  worker at the new time, as the cron job `mediation worker --once --now …` would. What the
  worker does, it does as the `system` actor through the engine: a supervision (督办) is an
  audited event that leaves the state as it is, a reminder is a notice in the outbox, and a
  trigger moves the case. Deadlines count working days on the Chinese statutory calendar,
  where the rule says so, with make-up working days (调休) included; such a deadline ends at
  24:00 China time of its last working day. A period in days does not count the day it starts
  and ends at 24:00 China time of its last day (民事诉讼法 art. 85; a return visit is due by the
  end of its day). Clock times here are UTC (China is UTC+8).

  Background:
    Given the sample county of 永嘉县

  @scenario3 @calendar
  Scenario: 3. A wage dispute before the Spring Festival goes to the labour authority and closes on its receipt
    Given it is 2026-02-13 10:00
    And grid1 reported a "labour" dispute between 马师傅 and 绿源农场 in 江北社区第一网格
    And police1 triaged the case as "labour" at "elevated" risk
    When police1 refers the case to 永嘉县人力资源和社会保障局 because "农场只同意先付一半工资，其余欠薪需劳动部门处理"
    Then the case is in state "joint.referred"
    And a pending "department_acknowledgement" deadline is due by the end of 2026-02-14 China time with the action "supervise"
    When 23 hours pass
    Then the system has not acted on the case
    When dept_rs acknowledges the referral
    Then the case is in state "joint.in_progress"
    And the "department_acknowledgement" deadline is cancelled
    When 15 days pass
    Then the system has not acted on the case
    When dept_rs submits "unresolved" feedback: "劳动争议调解15日未达成协议，已告知当事人申请劳动争议仲裁"
    Then the referring unit is notified of "unresolved" feedback
    When police1 confirms the feedback
    Then the case is in state "screening.triaged"
    And the recorded feedback is "unresolved": "劳动争议调解15日未达成协议，已告知当事人申请劳动争议仲裁"
    When police1 declares the mediation failed because "部门调解未果，已引导当事人申请劳动争议仲裁"
    Then the case is in state "closed.mediation_failed"
    And the parties are recorded as informed of the arbitration, administrative and court routes
    And the system has not acted on the case
    And the case's hash chain verifies

  @scenario4 @art33
  Scenario: 4. A land-boundary key case is due soon on day 25, supervised on day 31, then settled and followed up
    Given today is 2026-03-02
    And grid2 reported a "land_boundary" dispute between 潘大伯 and 潘二叔 in 菇溪村网格
    And mediator2 triaged the case as "land_boundary" at "elevated" risk
    When county_sup designates the case a key case owned by mediator2, due in 30 days, with the co-units "菇溪村, 桥头镇" and the milestones "实地勘界, 五老调解, 签订协议"
    Then an open order is owned by mediator2 with the deadline 2026-04-01
    When 20 days pass
    And mediator2 assigns mediator2 for "professional" mediation with "grassroots" resolution
    And mediator2 records the consent of both parties
    And mediator2 notifies every party of their rights and duties
    And mediator2 starts the session
    And 4 days pass
    Then the order is "open"
    When 1 day passes
    Then the order is "due_soon"
    And mediator2 is reminded of the "order_due_soon" deadline
    And the system has not acted on the case
    When 5 days pass
    Then the order is "due_soon"
    When 1 day passes
    Then the order is "overdue"
    And the system has supervised the case for the "order_overdue" deadline
    And the case is in state "mediation.in_session"
    When 2 days pass
    And mediator2 records a session with the outcome "agreed"
    And mediator2 drafts the agreement "以村界石为准重新确认两家地界，界石以东归潘大伯使用" with clauses on "boundary, property_title"
    And mediator2 has the agreement signed by every party and the mediator, sealed and concluded
    And mediator2 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then it is refused by the guard "category_not_excluded" saying "property_title"
    When mediator2 starts the follow-up
    And 7 days pass
    Then no reminder of the "return_visit_1" deadline is queued yet
    When 1 day passes
    Then mediator2 is reminded of the "return_visit_1" deadline
    When grid2 records a "stable" return visit
    And 23 days pass
    Then mediator2 is reminded of the "return_visit_2" deadline
    When grid2 records a "stable" return visit
    And mediator2 verifies the closure
    Then the case is in state "closed.resolved"
    And the case was resolved at the "grid" level
    And the order is "done"
    And the case's hash chain verifies

  @scenario4
  Scenario: 4'. Without a request for confirmation, the 30-day window moves the case to follow-up
    Given today is 2026-03-02
    And a "land_boundary" dispute between 潘大伯 and 潘二叔 in 菇溪村网格 has reached "mediation.agreement_effective"
    When 30 days pass
    Then the case is in state "mediation.agreement_effective"
    When the clock reaches 2026-04-01 15:59
    Then the case is in state "mediation.agreement_effective"
    When the clock reaches 2026-04-01 16:00
    Then the system has fired "start_follow_up" from "mediation.agreement_effective" to "follow_up.tracking"
    And the case is in state "follow_up.tracking"
    And a pending "return_visit_1" deadline is due by the end of 2026-04-09 China time with the action "remind"

  @scenario7 @calendar
  Scenario: 7. A consumer complaint not acknowledged over National Day is supervised and escalated to the county centre
    Given it is 2026-09-30 15:00
    And police1 reported a "consumer" dispute between 王丽 and 好又多超市 in 江北社区 through "police_call"
    And police1 triaged the case as "consumer" at "low" risk
    When police1 refers the case to 永嘉县市场监督管理局 because "非警务类消费纠纷，流转驻所市场监管所办理"
    Then a pending "department_acknowledgement" deadline is due by the end of 2026-10-08 China time with the action "supervise"
    When the clock reaches 2026-10-08 15:59
    Then the system has not acted on the case
    When the clock reaches 2026-10-08 16:00
    Then the system has supervised the case for the "department_acknowledgement" deadline
    And the case is in state "joint.referred"
    And the county centre is notified of the supervision

  @scenario7
  Scenario: 7'. The late-acknowledged complaint closes only after the feedback has reached the originator
    Given it is 2026-09-30 15:00
    And police1 reported a "consumer" dispute between 王丽 and 好又多超市 in 江北社区 through "police_call"
    And police1 triaged the case as "consumer" at "low" risk
    And police1 referred the case to 永嘉县市场监督管理局 because "非警务类消费纠纷，流转驻所市场监管所办理"
    When 9 days pass
    Then the system has supervised the case for the "department_acknowledgement" deadline
    When dept_sj acknowledges the referral
    And 3 days pass
    And dept_sj submits "resolved" feedback: "经营者已退货退款并赔礼道歉"
    Then the case is in state "joint.feedback_received"
    And the referring unit is notified of "resolved" feedback
    When police1 verifies the closure
    Then it is not allowed in state "joint.feedback_received"
    When police1 confirms the feedback
    Then the case is in state "follow_up.tracking"
    When 7 days pass
    Then no reminder of the "return_visit_1" deadline is queued yet
    When 1 hour passes
    Then a reminder of the "return_visit_1" deadline is queued
    When police1 records a "stable" return visit
    And 23 days pass
    Then a reminder of the "return_visit_2" deadline is queued
    When police1 records a "stable" return visit
    And police1 reports the outcome to 王丽 by "phone": "经营者已退货退款并赔礼道歉，电话告知王丽处理结果"
    And police1 verifies the closure
    Then the case is in state "closed.resolved"
    And the case's hash chain verifies
