@art31
Feature: Order-tracked follow-up (订单管理、跟踪问效)
  Art. 31: an agreement binds the parties and the committee supervises its performance.
  Return visits are scheduled by policy (+7 and +30 days); a case is resolved only when every
  scheduled visit is on record on schedule (on its day, or within the policy's tolerance before
  it) and the last found the dispute stable; a visit recorded earlier is kept as an extra visit. A recurrence sends it
  back to triage; a default sends it to enforcement when the court confirmed the agreement,
  otherwise back to mediation. Key cases get an order with an owner and a deadline.

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02
    And a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.agreement_effective"

  Scenario: Follow-up schedules the return visits
    When mediator1 starts the follow-up
    Then the case is in state "follow_up.tracking"
    And the "judicial_confirmation_window" deadline is cancelled
    And a pending "return_visit_1" deadline is due by the end of 2026-03-09 China time with the action "remind"
    And a pending "return_visit_2" deadline is due by the end of 2026-04-01 China time with the action "remind"

  Scenario: The case is resolved once every visit is recorded and the last one is stable
    Given mediator1 started the follow-up
    When 7 days pass
    And grid1 records a "stable" return visit
    And mediator1 verifies the closure
    Then it is refused by the guard "visits_complete_and_stable" saying "1 of 2 scheduled return visits"
    When 23 days pass
    And grid1 records a "recurred" return visit
    And mediator1 verifies the closure
    Then it is refused by the guard "visits_complete_and_stable" saying "not stable"
    When 3 days pass
    And mediator1 records a "stable" return visit
    And mediator1 verifies the closure
    Then the case is in state "closed.resolved"
    And the "return_visit_1" deadline is cancelled
    And the "return_visit_2" deadline is cancelled
    And the case's hash chain verifies

  @policy
  Scenario: A visit counts as the scheduled one only on its day or the day before; an earlier one is extra
    # policy.yaml `return_visits`: the visit scheduled at +N days counts when recorded on or after
    # day N − early_tolerance_days, counting China's calendar days from the day follow-up started.
    Given return visits are scheduled at +7 and +30 days, each counting from 1 day before its day
    And it is 2026-03-02 17:00 China time
    And mediator1 started the follow-up
    When it is 2026-03-02 17:01 China time
    And grid1 records a "stable" return visit
    And grid1 records a "stable" return visit
    And mediator1 verifies the closure
    Then it is refused by the guard "visits_complete_and_stable" saying "0 of 2 scheduled return visits recorded on schedule; visit 1 counts from 2026-03-08"
    And the return visits on record are "early, early"
    When it is 2026-03-07 23:59 China time
    And grid1 records a "stable" return visit
    Then the return visits on record are "early, early, early"
    When it is 2026-03-08 00:00 China time
    And grid1 records a "stable" return visit
    And mediator1 verifies the closure
    Then it is refused by the guard "visits_complete_and_stable" saying "visit 2 counts from 2026-03-31"
    And the return visits on record are "early, early, early, on schedule"
    When it is 2026-03-31 09:00 China time
    And grid1 records a "stable" return visit
    And mediator1 verifies the closure
    Then the case is in state "closed.resolved"
    And the return visits on record are "early, early, early, on schedule, on schedule"
    And the case's hash chain verifies

  Scenario: A grid worker records visits but does not close the case
    Given mediator1 started the follow-up
    And grid1 recorded a "stable" return visit
    And grid1 recorded a "stable" return visit
    When grid1 verifies the closure
    Then it is refused as Forbidden
    And the case is still in state "follow_up.tracking"

  Scenario: A recurrence sends the case back to triage and counts
    Given mediator1 started the follow-up
    And grid1 recorded a "recurred" return visit
    When mediator1 reports a recurrence because "双方再次因噪音发生争吵"
    Then the case is in state "screening.triaged"
    And the case has recurred 1 time
    And no return visit is on record
    And the "return_visit_1" deadline is cancelled

  Scenario: A default on an agreement the court did not confirm goes back to mediation
    Given mediator1 started the follow-up
    And grid1 recorded a "not_performed" return visit
    When mediator1 reports a default because "李秀英逾期未支付补偿款"
    Then the case is in state "mediation.assigned"

  @art33
  Scenario: A default on a court-confirmed agreement goes to enforcement
    Given mediator1 applied for judicial confirmation at 瓯北共享法庭 jointly for every party
    And court1 accepted the application
    And court1 confirmed the agreement by the ruling "(2026)浙0324民特88号"
    When mediator1 reports a default because "李秀英逾期未支付补偿款"
    Then the case is in state "closed.enforcement"

  Scenario: A supervisor puts a key case under order management
    Given mediator1 started the follow-up
    When supervisor1 designates the case a key case owned by mediator1, due in 30 days, with the co-units "江北社区, 瓯北派出所" and the milestones "回访, 履行监督"
    Then the case is still in state "follow_up.tracking"
    And an open order is owned by mediator1 with the deadline 2026-04-01
    And a pending "order_due_soon" deadline is due by the end of 2026-03-26 China time with the action "remind"
    And a pending "order_overdue" deadline is due by the end of 2026-04-01 China time with the action "supervise"
    And "owner" is notified of "key_case_designated"
    When supervisor1 designates the case a key case owned by mediator1, due in 40 days, with the co-units "江北社区" and the milestones "回访"
    Then it is refused by the guard "not_key_case"

  @roles
  Scenario: Only a supervisor designates a key case
    When mediator1 designates the case a key case owned by mediator1, due in 30 days, with the co-units "江北社区" and the milestones "回访"
    Then it is refused as Forbidden
