Feature: The example scenarios of DOMAIN.md §5
  Seven disputes from the source reports, told end to end through the engine. Where a step
  waits on the timer worker (not built yet), the scenario checks the deadline the engine
  wrote rather than its firing. Scenario 5 (elder maintenance via the shared court) is
  told in Chinese in elder_maintenance_zh.feature.

  Background:
    Given the sample county of 永嘉县

  @scenario1 @art29
  Scenario: 1. A neighbour dispute is settled in the grid the same day
    Given today is 2026-03-02
    And grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 through "grid_screening"
    When police1 triages the case as "neighbour" at "low" risk
    And police1 assigns police1 for "joint" mediation with "grassroots" resolution
    And police1 records the consent of both parties
    And police1 notifies every party of their rights and duties
    And police1 starts the session
    And police1 records a session with the outcome "agreed"
    And police1 drafts the agreement "李秀英晚上十点后不再装修，并赔偿张建国人民币五百元"
    And police1 has the agreement signed by every party and the mediator, sealed and concluded
    Then the case is in state "mediation.agreement_effective"
    And the agreement took effect at 2026-03-02 09:00
    And the case was resolved at the "grid" level
    When police1 starts the follow-up
    And 7 days pass
    And grid1 records a "stable" return visit
    And 23 days pass
    And grid1 records a "stable" return visit
    And police1 verifies the closure
    Then the resolution at the "grid" level is credited to police1
    And the case's hash chain verifies

  @scenario2 @art28
  Scenario: 2. A domestic 110 call is mediated on the spot and an oral agreement recorded
    Given it is 2026-03-02 21:14
    And police1 reported a "family" dispute between 刘芳 and 刘强 in 江北社区 through "police_call"
    When police1 triages the case as "family" at "low" risk
    And police1 mediates on the scene
    Then the case is in state "mediation.in_session"
    And the case is mediated by police1 under the "on_scene" mechanism
    And a pending "police_first_session" deadline is due by the end of 2026-03-06 China time with the action "remind"
    When police1 records a session with the outcome "agreed"
    And police1 records the oral agreement "刘强向刘芳道歉，保证不再酒后争吵"
    Then the case is in state "follow_up.tracking"
    And the agreement is recorded as oral with the terms "刘强向刘芳道歉，保证不再酒后争吵"
    And the "police_first_session" deadline is cancelled

  @scenario2
  Scenario: 2'. A weapon at a domestic 110 call: high risk blocks mediation and the police take over
    Given it is 2026-03-02 21:14
    And police1 reported a "family" dispute between 刘芳 and 刘强 in 江北社区 through "police_call"
    And police1 triaged the case as "family" at "low" risk
    When police1 raises the risk to "high" because "现场发现刘强手持菜刀"
    And police1 mediates on the scene
    Then it is refused by the guard "risk_below_high"
    When police1 hands the case over to police because "持刀威胁，存在民转刑风险"
    Then the case is in state "closed.police_case"

  @scenario3
  Scenario: 3. A wage dispute goes to the labour authority and closes on its receipt
    Given today is 2026-03-02
    And grid1 reported a "labour" dispute between 马师傅 and 绿源农场 in 江北社区第一网格
    When police1 triages the case as "labour" at "elevated" risk
    And police1 refers the case to 永嘉县人力资源和社会保障局 because "农场同意先付一半工资，其余工资争议需劳动部门处理"
    Then the case is in state "joint.referred"
    And a pending "department_acknowledgement" deadline is due by the end of 2026-03-03 China time with the action "supervise"
    When 5 hours pass
    And dept_rs acknowledges the referral
    Then the "department_acknowledgement" deadline is cancelled
    When 15 days pass
    And dept_rs submits "unresolved" feedback: "劳动调解15日未达成协议，已告知当事人申请劳动争议仲裁"
    And police1 confirms the feedback
    Then the case is in state "screening.triaged"
    And the recorded feedback is "unresolved": "劳动调解15日未达成协议，已告知当事人申请劳动争议仲裁"
    When police1 declines the case because "已引导当事人申请劳动争议仲裁"
    Then the case is in state "closed.not_accepted"

  @scenario4 @art33
  Scenario: 4. A land-boundary dispute under order management
    Given today is 2026-03-02
    And grid2 reported a "land_boundary" dispute between 潘大伯 and 潘二叔 in 菇溪村网格
    And mediator2 triaged the case as "land_boundary" at "elevated" risk
    When county_sup designates the case a key case owned by mediator2, due in 30 days, with the co-units "菇溪村, 桥头镇" and the milestones "实地勘界, 五老调解, 签订协议"
    Then an open order is owned by mediator2 with the deadline 2026-04-01
    And a pending "order_due_soon" deadline is due by the end of 2026-03-26 China time with the action "remind"
    And a pending "order_overdue" deadline is due by the end of 2026-04-01 China time with the action "supervise"
    When mediator2 assigns mediator2 for "professional" mediation with "grassroots" resolution
    And mediator2 records the consent of both parties
    And mediator2 notifies every party of their rights and duties
    And mediator2 starts the session
    And mediator2 records a session with the outcome "agreed"
    And mediator2 drafts the agreement "以村界石为准重新确认两家地界，界石以东归潘大伯使用" with clauses on "boundary, property_title"
    And mediator2 has the agreement signed by every party and the mediator, sealed and concluded
    And mediator2 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then it is refused by the guard "category_not_excluded" saying "property_title"
    When mediator2 starts the follow-up
    Then a pending "return_visit_1" deadline is due by the end of 2026-03-09 China time with the action "remind"
    And a pending "return_visit_2" deadline is due by the end of 2026-04-01 China time with the action "remind"
    When 7 days pass
    And grid2 records a "stable" return visit
    And 23 days pass
    And grid2 records a "stable" return visit
    And mediator2 verifies the closure
    Then the case is in state "closed.resolved"
    And the order is done and its timers are cancelled

  @scenario6
  Scenario: 6. A night-time bar confrontation is settled and counts as a prevented 民转刑
    Given it is 2026-03-06 23:40
    And police1 reported a "public_order" dispute between 吴某 and 郑某 in 江北社区 through "law_enforcement"
    When police1 triages the case as "public_order" at "elevated" risk
    Then the case's risk level is "elevated"
    When it is 2026-03-07 10:00
    And police1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    And mediator1 records the consent of both parties
    And mediator1 notifies every party of their rights and duties
    And mediator1 starts the session
    And mediator1 records a session with the outcome "agreed"
    And mediator1 drafts the agreement "郑某赔偿吴某医药费一千二百元，双方互相道歉"
    And mediator1 has the agreement signed by every party and the mediator, sealed and concluded
    And mediator1 starts the follow-up
    And 7 days pass
    And police1 records a "stable" return visit
    Then the case has recurred 0 times
    When 23 days pass
    And police1 records a "stable" return visit
    And mediator1 verifies the closure
    Then the case counts as a prevented 民转刑

  @scenario7 @calendar
  Scenario: 7. A consumer complaint goes to market supervision and closes only on the originator's receipt
    Given today is 2026-09-30
    And police1 reported a "consumer" dispute between 王丽 and 好又多超市 in 江北社区 through "police_call"
    When police1 triages the case as "consumer" at "low" risk
    And police1 refers the case to 永嘉县市场监督管理局 because "非警务类消费纠纷，流转市场监管所办理"
    Then a pending "department_acknowledgement" deadline is due by the end of 2026-10-08 China time with the action "supervise"
    When 9 days pass
    And dept_sj acknowledges the referral
    And dept_sj submits "resolved" feedback: "经营者已退货退款"
    Then the case is in state "joint.feedback_received"
    When police1 verifies the closure
    Then it is not allowed in state "joint.feedback_received"
    When police1 confirms the feedback
    Then the case is in state "follow_up.tracking"
    When 7 days pass
    And police1 records a "stable" return visit
    And 23 days pass
    And police1 records a "stable" return visit
    And police1 verifies the closure
    Then it is refused by the guard "outcome_reported" saying "report the outcome to the complainant first"
    When police1 reports the outcome to 王丽 by "phone": "经营者已退货退款，电话告知王丽处理结果"
    And police1 verifies the closure
    Then the case is in state "closed.resolved"
