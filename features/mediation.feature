Feature: Mediation (调解)
  Mediation needs every party's consent (art. 17); parties may end it at any time before the
  agreement takes effect (art. 23). Sessions climb the ladder grid → community → station →
  county ("small matters stay in the grid, big ones in the community"); at the top a failed
  mediation closes and the parties are told of the other routes (art. 26). An agreement may
  be oral (art. 28); a written one takes effect on every party's signature, the mediator's
  signature and the committee seal (art. 29).

  Background:
    Given the sample county of 永嘉县
    And today is 2026-03-02

  Scenario: The session starts once every party has consented
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.assigned"
    When mediator1 starts the session
    Then it is refused by the guard "all_parties_consented"
    When mediator1 records the consent of 张建国
    And mediator1 starts the session
    Then it is refused by the guard "all_parties_consented"
    When mediator1 records the consent of 李秀英
    And mediator1 notifies every party of their rights and duties
    And mediator1 starts the session
    Then the case is in state "mediation.in_session"

  Scenario: A people's mediation is expected to conclude within a month, adjournments included
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And mediator1 triaged the case as "neighbour" at "low" risk
    When mediator1 assigns mediator1 for "joint" mediation with "grassroots" resolution
    Then a pending "people_mediation_term" deadline is due by the end of 2026-04-01 China time with the action "supervise"
    When mediator1 records the consent of every party
    And mediator1 notifies every party of their rights and duties
    And mediator1 starts the session
    And 5 days pass
    And mediator1 adjourns the session for 3 days
    And 3 days pass
    And mediator1 starts the session
    Then a pending "people_mediation_term" deadline is due by the end of 2026-04-01 China time with the action "supervise"
    When mediator1 records the oral agreement "双方互谅互让，李秀英夜间不再装修"
    Then the "people_mediation_term" deadline is cancelled

  @calendar
  Scenario: An adjourned police mediation must meet again within 7 working days
    Given grid1 reported a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格
    And police1 triaged the case as "neighbour" at "low" risk
    When police1 mediates on the scene
    Then a pending "police_first_session" deadline is due by the end of 2026-03-05 China time with the action "remind"
    When 1 day passes
    And police1 adjourns the session for 2 days
    Then the "police_first_session" deadline is cancelled
    And a pending "police_second_session" deadline is due by the end of 2026-03-12 China time with the action "declare_failed"

  @art17
  Scenario: There is no mediation when one party clearly refuses
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.assigned"
    And mediator1 recorded the consent of 张建国
    When mediator1 records that 李秀英 refuses mediation because "李秀英明确表示不接受调解"
    Then the case is in state "closed.refused"
    And the last event records the reason "李秀英明确表示不接受调解"
    When mediator1 starts the session
    Then it is not allowed in state "closed.refused"

  @art17
  Scenario: A refusal must say why
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.assigned"
    When mediator1 fires "party_refuses" with:
      | party | 李秀英 |
    Then it is refused as invalid "data.reason"

  Scenario: An adjourned session uses one attempt at the current level
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 adjourns the session for 3 days
    Then the case is in state "mediation.assigned"
    And the case is at the "grid" level of the ladder with 1 attempts used
    When mediator1 starts the session
    Then the case is in state "mediation.in_session"

  Scenario: The grid's third adjourned session moves the case up to the community
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 adjourns the session 2 times, restarting it each time
    Then the case is at the "grid" level of the ladder with 2 attempts used
    When mediator1 adjourns the session for 3 days
    Then the case is in state "mediation.assigned"
    And the case is at the "community" level of the ladder with 0 attempts used
    And "supervisor" is notified of "case_escalated"

  Scenario: Escalation climbs the ladder one level at a time up to the county
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 escalates the case because "网格层面分歧较大"
    Then the case is in state "mediation.assigned"
    And the case is at the "community" level of the ladder
    When mediator1 starts the session
    And mediator1 escalates the case because "社区层面仍无法化解"
    Then the case is at the "station" level of the ladder
    When mediator1 starts the session
    And mediator1 escalates the case because "提交县矛调中心"
    Then the case is at the "county" level of the ladder
    When mediator1 starts the session
    And mediator1 escalates the case because "no level above"
    Then it is refused by the guard "level_above_exists"
    And the case is still in state "mediation.in_session"

  Scenario: Declaring failure below the top of the ladder escalates instead of closing
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 declares the mediation failed because "双方分歧较大"
    Then the case is in state "mediation.assigned"
    And the case is at the "community" level of the ladder
    And no other routes are recorded yet

  @art26
  Scenario: At the county, a failed mediation closes and the parties are told of the other routes
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    And mediator1 escalated the case 3 times, restarting the session at each level
    When mediator1 declares the mediation failed because "经县矛调中心调解仍无法达成一致"
    Then the case is in state "closed.mediation_failed"
    And the parties are recorded as informed of the arbitration, administrative and court routes
    And the last event records the reason "经县矛调中心调解仍无法达成一致"

  @art23
  Scenario Outline: A party may end the mediation at any time before the agreement takes effect
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "<state>"
    When mediator1 records that 张建国 withdraws from mediation because "申请人决定自行协商"
    Then the case is in state "closed.withdrawn"
    And the last event is "party_withdraws" by mediator1 from "<state>" to "closed.withdrawn"

    Examples:
      | state                       |
      | mediation.assigned          |
      | mediation.in_session        |
      | mediation.agreement_drafted |

  @art23
  Scenario: Once the agreement has taken effect a party can no longer withdraw
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.agreement_effective"
    When mediator1 records that 张建国 withdraws from mediation because "反悔"
    Then it is not allowed in state "mediation.agreement_effective"

  @art28
  Scenario: The mediator records an oral agreement and follow-up begins
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 records the oral agreement "李秀英晚上十点后停止装修，张建国不再上门争吵"
    Then the case is in state "follow_up.tracking"
    And the agreement is recorded as oral with the terms "李秀英晚上十点后停止装修，张建国不再上门争吵"
    And the case was resolved at the "grid" level

  @art29
  Scenario: A written agreement takes effect only with every signature and the committee seal
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    And mediator1 drafted the agreement "李秀英于2026年3月31日前赔偿张建国人民币三千元"
    When mediator1 records the signature of 张建国
    And mediator1 concludes the agreement
    Then it is refused by the guard "agreement_signed_and_sealed" saying "have not signed the agreement"
    When mediator1 records the signature of 李秀英
    And mediator1 concludes the agreement
    Then it is refused by the guard "agreement_signed_and_sealed" saying "mediator has not signed"
    When mediator1 signs the agreement as mediator
    And mediator1 concludes the agreement
    Then it is refused by the guard "agreement_signed_and_sealed" saying "no committee seal"
    When mediator1 seals the agreement with the committee seal
    And mediator1 concludes the agreement
    Then the case is in state "mediation.agreement_effective"
    And the agreement took effect at 2026-03-02 09:00
    And a pending "judicial_confirmation_window" deadline is due by the end of 2026-04-01 China time with the action "start_follow_up"

  @art29
  Scenario: Each signature names exactly one signer
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.agreement_drafted"
    When mediator1 fires "sign"
    Then it is refused by the guard "signer_named"

  @art29
  Scenario: Revising the agreement sends it back to the session and voids the signatures
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    And mediator1 drafted the agreement "李秀英赔偿张建国人民币三千元"
    And mediator1 recorded the signature of 张建国
    When mediator1 revises the agreement because "履行期限需调整"
    Then the case is in state "mediation.in_session"
    And the agreement carries no signatures and no seal

  Scenario: A supervisor replaces a mediator who must recuse, and the case stays where it is
    Given a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"
    When mediator1 replaces the mediator with police1
    Then it is refused as Forbidden
    When supervisor1 replaces the mediator with police1
    Then the case is in state "mediation.in_session"
    And the case is mediated by police1 under the "joint" mechanism
