@roles
Feature: Roles and jurisdiction (DESIGN §5)
  Each trigger lists the roles that may fire it. A user reaches the cases of their own unit
  subtree, cases assigned to them and cases referred to their department or court; anything
  else does not exist for them (NotFound, no existence leak). A role that may not fire a
  trigger on a case it can see is Forbidden.

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02

  Scenario: A grid worker files cases but cannot assign a mediator
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And mediator1 triaged the case as "neighbour" at "low" risk
    When grid1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then it is refused as Forbidden
    And the case is still in state "screening.triaged"

  Scenario: A grid worker cannot file a case outside their grid
    When grid1 reports a "neighbour" dispute between 张建国 and 李秀英 in 菇溪村网格
    Then it is refused as invalid "unit"

  Scenario: A department cannot act on a case that was not referred to it
    Given a "consumer" dispute between 王丽 and 好又多超市 in 江北社区第一网格 has reached "screening.triaged"
    When dept_sj acknowledges the referral
    Then it is refused as NotFound

  Scenario: A department cannot act on a case referred to another department
    Given a "consumer" dispute between 王丽 and 好又多超市 in 江北社区第一网格 has reached "joint.referred"
    And the case is referred to 永嘉县市场监督管理局
    When dept_rs acknowledges the referral
    Then it is refused as NotFound
    When dept_rs submits "resolved" feedback: "已处理"
    Then it is refused as NotFound
    And the case is still in state "joint.referred"

  Scenario: A department loses the case once it returns the referral
    Given a "consumer" dispute between 王丽 and 好又多超市 in 江北社区第一网格 has reached "joint.referred"
    And dept_sj returned the referral because "不属于本部门职责"
    When dept_sj acknowledges the referral
    Then it is refused as NotFound

  Scenario: A mediator of another unit cannot see the case
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.assigned"
    When mediator2 records the consent of 张建国
    Then it is refused as NotFound

  Scenario: A mediator assigned to a case of another unit reaches it
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And mediator1 triaged the case as "neighbour" at "low" risk
    And mediator1 assigned mediator2 for "professional" mediation with "grassroots" resolution
    When mediator2 records the consent of every party
    And mediator2 notifies every party of their rights and duties
    And mediator2 starts the session
    Then the case is in state "mediation.in_session"

  Scenario: A supervisor of another town cannot reach the case, the county's supervisor can
    Given a "land_boundary" dispute between 潘大伯 and 潘二叔 in 菇溪村网格 has reached "closed.mediation_failed"
    When supervisor1 reopens the case because "复查"
    Then it is refused as NotFound
    When county_sup reopens the case because "复查发现勘界结论有误"
    Then the case is in state "screening.triaged"

  Scenario: An administrator fires no case triggers
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    When admin triages the case as "neighbour" at "low" risk
    Then it is refused as Forbidden

  Scenario: Only the police mediate on the scene
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And mediator1 triaged the case as "neighbour" at "low" risk
    When mediator1 mediates on the scene
    Then it is refused as Forbidden
