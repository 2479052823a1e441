@art33
Feature: Judicial confirmation at the shared court (共享法庭，司法确认)
  Art. 33: the parties may apply jointly to the court for judicial confirmation within 30
  days of the agreement taking effect. The court decides within 3 days whether to accept
  and rules within 15 days of accepting. A confirmed agreement is enforceable; one found
  invalid is re-mediated, or the parties are advised to sue. Status (marriage, adoption,
  parentage) and property title cannot be confirmed, nor can a police-mediation agreement.
  These periods are counted as the law counts them (民事诉讼法 art. 85): not the day they start,
  up to 24:00 China time of their last day, or of the first working day after it when that day
  is a weekend or holiday. Clock times here are UTC (China is UTC+8): 09:00 is 17:00 in China.

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02

  Scenario: The parties apply jointly within 30 days and the court is asked to accept
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When 12 days pass
    And mediator1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then the case is in state "court.applied"
    And the case is before 瓯北共享法庭
    And every party is recorded as an applicant
    And "court" is notified of "confirmation_applied"
    And the "judicial_confirmation_window" deadline is cancelled
    And a pending "court_acceptance" deadline is due by the end of 2026-03-17 China time with the action "supervise"

  Scenario: One party alone cannot apply
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When mediator1 applies for judicial confirmation at 瓯北共享法庭 for 陈明 alone
    Then it is refused by the guard "joint_application"
    And the case is still in state "mediation.agreement_effective"

  Scenario Outline: The application must come within 30 days of the agreement taking effect
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When <days> days pass
    And mediator1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then <outcome>

    Examples:
      | days | outcome                                                  |
      | 30   | the case is in state "court.applied"                     |
      | 31   | it is refused by the guard "within_confirmation_window" |

  Scenario Outline: Status and property-title disputes are not confirmed
    Given a "<category>" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When mediator1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then it is refused by the guard "category_not_excluded" saying "<category>"

    Examples:
      | category        |
      | marriage_status |
      | adoption_status |
      | parentage       |
      | property_title  |

  Scenario Outline: An agreement with a status or title clause is not confirmed
    Given a "family" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.in_session"
    And mediator1 drafted the agreement "<terms>" with clauses on "<clauses>"
    And mediator1 had the agreement signed by every party and the mediator, sealed and concluded
    When mediator1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then it is refused by the guard "category_not_excluded" saying "<excluded>"

    Examples:
      | clauses                      | excluded        | terms                                  |
      | debt, marriage_status        | marriage_status | 双方解除婚姻关系，陈明归还借款五万元   |
      | compensation, property_title | property_title  | 确认房屋归陈明所有，陈明补偿周强十万元 |

  Scenario: A police-mediation agreement is not confirmed
    Given grid1 reported a "neighbour" dispute between 陈明 and 周强 in 江北社区第一网格
    And police1 triaged the case as "neighbour" at "low" risk
    And police1 mediated on the scene
    And police1 drafted the agreement "周强赔偿陈明医药费八百元"
    And police1 had the agreement signed by every party and the mediator, sealed and concluded
    When police1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    Then it is refused by the guard "people_mediation_basis"

  Scenario: The court accepts and must rule within 15 days of accepting
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "court.applied"
    When 2 days pass
    And court1 accepts the application
    Then the case is in state "court.under_review"
    And the "court_acceptance" deadline is cancelled
    And a pending "court_ruling" deadline is due by the end of 2026-03-19 China time with the action "supervise"

  Scenario: The court declines an incomplete application and the agreement stands
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "court.applied"
    When court1 declines the application because "缺少身份证明材料"
    Then the case is in state "mediation.agreement_effective"
    And a pending "judicial_confirmation_window" deadline is due by the end of 2026-04-01 China time with the action "start_follow_up"

  Scenario: A confirmation carries the ruling number and follow-up begins
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "court.under_review"
    When court1 confirms the agreement without a ruling number
    Then it is refused as invalid "data.ruling_number"
    When court1 confirms the agreement by the ruling "第123号"
    Then it is refused as invalid "data.ruling_number"
    When court1 confirms the agreement by the ruling "(2026)浙0324民特123号"
    Then the case is in state "follow_up.tracking"
    And the ruling "(2026)浙0324民特123号" is recorded
    And the "court_ruling" deadline is cancelled

  Scenario: A rejected agreement is re-mediated
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "court.under_review"
    When court1 rejects the agreement because "协议约定的利息超过法定上限"
    Then the case is in state "court.rejected"
    And the last event records the reason "协议约定的利息超过法定上限"
    When mediator1 has the case re-mediated by mediator1 for "professional" mediation
    Then the case is in state "mediation.assigned"
    And the agreement carries no signatures and no seal

  Scenario: After a rejection the parties may be advised to sue
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "court.rejected"
    When mediator1 advises litigation because "双方无法重新达成协议，引导向人民法院起诉"
    Then the case is in state "closed.litigation_advised"

  @roles
  Scenario: Only the court rules, and only on applications made to it
    Given a "contract" dispute between 陈明 and 周强 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When court1 accepts the application
    Then it is refused as NotFound
    When mediator1 applies for judicial confirmation at 瓯北共享法庭 jointly for every party
    And mediator1 accepts the application
    Then it is refused as Forbidden
    When court1 accepts the application
    Then the case is in state "court.under_review"
