Feature: Screening and intake (排查受理)
  Disputes found through the "431" screening paths are registered, triaged and routed:
  mediated on the scene, assigned to a mediator, referred to a department or handed to
  police. Risk is an overlay: high risk blocks on-scene mediation, critical risk leaves
  only hand-over to police or lowering the risk (民转刑 prevention).

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02
    And grid1 reported a dispute between 张建国 and 李秀英 in 江北社区第一网格

  Scenario: Triage sets the category and risk level
    When mediator1 triages the case as "neighbour" at "low" risk
    Then the case is in state "screening.triaged"
    And the case is categorised "neighbour" at "low" risk
    And the last event is "triage" by mediator1 from "screening.reported" to "screening.triaged"
    And the case has 2 events and its hash chain verifies

  Scenario: Triage needs a category
    When mediator1 triages the case
    Then it is refused by the guard "category_and_risk_set"
    And the case is still in state "screening.reported"

  Scenario: A case with one known party is triaged only when the other party is marked unknown
    Given grid1 reported a "consumer" complaint by 王丽 against an unknown party in 江北社区第一网格
    When mediator1 triages the case as "consumer" at "low" risk
    Then it is refused by the guard "parties_sufficient"
    When mediator1 triages the case as "consumer" at "low" risk, the other party being unknown
    Then the case is in state "screening.triaged"

  Scenario: A second report of the same dispute is closed as a duplicate
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 through "online_opinion"
    When mediator1 marks the case as a duplicate of the first case
    Then the case is in state "closed.duplicate"

  Scenario: A case cannot duplicate itself
    When mediator1 marks the case as a duplicate of itself
    Then it is refused by the guard "not_duplicate_of_itself"

  Scenario: Declining a case needs a reason
    When mediator1 declines the case without a reason
    Then it is refused as invalid "data.reason"
    When mediator1 declines the case because "属于劳动仲裁受理范围，已告知当事人申请劳动仲裁"
    Then the case is in state "closed.not_accepted"
    And the last event records the reason "属于劳动仲裁受理范围，已告知当事人申请劳动仲裁"

  Scenario: A triaged case is assigned to a mediator
    Given mediator1 triaged the case as "neighbour" at "low" risk
    When mediator1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then the case is in state "mediation.assigned"
    And the case is mediated by mediator1 under the "joint" mechanism

  Scenario: A triaged case is referred to a department
    Given mediator1 triaged the case as "consumer" at "low" risk
    When mediator1 refers the case to 永嘉县市场监督管理局 because "涉及商品质量，需市场监管部门处理"
    Then the case is in state "joint.referred"
    And the case is referred to 永嘉县市场监督管理局

  Scenario: The responding officer mediates a low-risk dispute on the scene
    Given police1 triaged the case as "neighbour" at "low" risk
    When police1 mediates on the scene
    Then the case is in state "mediation.in_session"
    And the case is mediated by police1 under the "on_scene" mechanism

  Scenario Outline: High risk or above blocks on-scene mediation
    Given police1 triaged the case as "neighbour" at "<risk>" risk
    When police1 mediates on the scene
    Then it is refused by the guard "<guard>"
    And the case is still in state "screening.triaged"

    Examples:
      | risk     | guard             |
      | high     | risk_below_high   |
      | critical | risk_not_critical |

  Scenario: Elevated risk still allows on-scene mediation
    Given police1 triaged the case as "neighbour" at "low" risk
    And grid1 raised the risk to "elevated" because "双方多次争吵，情绪激动"
    When police1 mediates on the scene
    Then the case is in state "mediation.in_session"

  Scenario: A grid worker raises the risk but only a mediator lowers it
    When grid1 raises the risk to "high" because "一方扬言报复"
    Then the case's risk level is "high"
    When grid1 lowers the risk to "low" because "情绪平复"
    Then it is refused as Forbidden
    When mediator1 lowers the risk to "elevated" because "经疏导情绪平复"
    Then the case's risk level is "elevated"
    And the case has 3 events and its hash chain verifies

  Scenario: Risk changes go one way at a time
    When mediator1 lowers the risk to "low" because "no change"
    Then it is refused by the guard "risk_goes_down"

  Scenario: At critical risk only hand-over to police or lowering the risk go forward
    Given police1 triaged the case as "neighbour" at "low" risk
    And police1 raised the risk to "critical" because "一方持刀威胁"
    When mediator1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then it is refused by the guard "risk_not_critical" saying "only Hand over to police"
    When mediator1 refers the case to 永嘉县市场监督管理局 because "涉及市场监管"
    Then it is refused by the guard "risk_not_critical"
    When mediator1 declines the case because "不属于调解范围"
    Then it is refused by the guard "risk_not_critical"
    When police1 mediates on the scene
    Then it is refused by the guard "risk_not_critical"
    And the case is still in state "screening.triaged"

  Scenario: At critical risk the police take the case over
    Given police1 triaged the case as "neighbour" at "critical" risk
    When police1 hands the case over to police because "持刀威胁，存在民转刑风险"
    Then the case is in state "closed.police_case"

  Scenario Outline: The police take a critical case over from any open state
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "<state>"
    And police1 raised the risk to "critical" because "一方扬言持刀报复"
    When police1 hands the case over to police because "存在民转刑风险"
    Then the case is in state "closed.police_case"

    Examples:
      | state                       |
      | mediation.in_session        |
      | mediation.agreement_drafted |
      | joint.in_progress           |
      | court.applied               |
      | follow_up.tracking          |

  Scenario: Lowering a critical risk opens the way forward again
    Given police1 triaged the case as "neighbour" at "critical" risk
    When mediator1 lowers the risk to "elevated" because "危险物品已收缴，双方情绪稳定"
    And mediator1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then the case is in state "mediation.assigned"

  Scenario: Only the police hand a case over to police
    Given police1 triaged the case as "neighbour" at "critical" risk
    When mediator1 hands the case over to police because "持刀威胁"
    Then it is refused as Forbidden
