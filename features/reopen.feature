Feature: Reopening a closed case (重新启动)
  Every terminal state is closed.*; nothing leaves it except a supervisor's reopen, with a
  reason, which sends the case back to triage and is audited.

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02

  Scenario: A supervisor reopens a resolved case with a reason
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "closed.resolved"
    When 10 days pass
    And supervisor1 reopens the case because "当事人提交了新的证据材料"
    Then the case is in state "screening.triaged"
    And the case has been reopened 1 time
    And the last event is "reopen" by supervisor1 from "closed.resolved" to "screening.triaged"
    And the last event records the reason "当事人提交了新的证据材料"
    And the case's hash chain verifies

  Scenario: Reopening needs a reason
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "closed.not_accepted"
    When supervisor1 reopens the case without a reason
    Then it is refused as invalid "data.reason"

  @roles
  Scenario: A mediator cannot reopen a case
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "closed.mediation_failed"
    When mediator1 reopens the case because "当事人要求再次调解"
    Then it is refused as Forbidden

  Scenario: Nothing but reopen leaves a closed case (a note or a file may still be added)
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "closed.withdrawn"
    When supervisor1 triages the case as "neighbour" at "low" risk
    Then it is not allowed in state "closed.withdrawn"
    And the triggers still allowed are "reopen, add_note, attach"

  Scenario Outline: A supervisor can reopen a case from any closed state
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "<closed state>"
    When supervisor1 reopens the case because "复查发现需要重新处理"
    Then the case is in state "screening.triaged"

    Examples:
      | closed state              |
      | closed.duplicate          |
      | closed.refused            |
      | closed.enforcement        |
      | closed.litigation_advised |
      | closed.police_case        |

  Scenario: A case handed over to police at critical risk can be reopened
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And police1 triaged the case as "neighbour" at "critical" risk
    And police1 handed the case over to police because "持刀威胁，移交治安处理"
    When 20 days pass
    And supervisor1 reopens the case because "治安案件已处理完毕，民事赔偿部分需要调解"
    Then the case is in state "screening.triaged"
    And the case's risk level is "critical"
    When mediator1 lowers the risk to "low" because "行为人已受治安处罚，双方情绪平稳"
    And mediator1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then the case is in state "mediation.assigned"
