Feature: Agencies with ongoing involvement are told when the case is closed
  Review paragraph 6.4.10: "ensure clear reference to the need for notification to other
  services or agencies that may be engaged in on-going care provision to children and their
  carers at the point of case closure by Children's Services, whether involvement of Children's
  Services has been brief or of longstanding."

  When the case is being closed, every agency with ongoing involvement must be told of the
  closure on or after the date of the decision. A decision not to notify never excuses an agency
  with ongoing involvement.

  @rule_closure_notifies_agencies
  Scenario: The case is not being closed
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    When the assessment is checked
    Then rule closure-notifies-agencies does not apply

  @rule_closure_notifies_agencies
  Scenario: The case is closed and no agency has ongoing involvement
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the youth service was involved with the family in the past
    And the case is closed on 2025-02-20 with early help
    When the assessment is checked
    Then rule closure-notifies-agencies does not apply

  @rule_closure_notifies_agencies
  Scenario: Health visiting was told on the day of the decision
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    And Health Visiting was told of the closure on 2025-02-20
    When the assessment is checked
    Then rule closure-notifies-agencies passes
    And the verdict is pass

  @rule_closure_notifies_agencies
  Scenario: Health visiting was told a few days after the decision
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    And Health Visiting was told of the closure on 2025-02-24
    When the assessment is checked
    Then rule closure-notifies-agencies passes

  @rule_closure_notifies_agencies
  Scenario: Health visiting was not told
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    When the assessment is checked
    Then rule closure-notifies-agencies fails for Health Visiting
    And the verdict is fail

  @rule_closure_notifies_agencies
  Scenario: Health visiting was told the day before the decision was taken
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    And Health Visiting was told of the closure on 2025-02-19
    When the assessment is checked
    Then rule closure-notifies-agencies fails for Health Visiting

  @rule_closure_notifies_agencies
  Scenario: Told on the day of an earlier decision, before the closure date
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the decision was taken on 2025-02-18
    And the case is closed on 2025-02-20 with early help
    And Health Visiting was told of the closure on 2025-02-18
    When the assessment is checked
    Then rule closure-notifies-agencies passes

  @rule_closure_notifies_agencies
  Scenario: A decision not to notify does not excuse an agency with ongoing involvement
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 because the family disengaged
    And the closure records the decision not to notify, because "The family asked us not to."
    When the assessment is checked
    Then rule closure-notifies-agencies fails for Health Visiting
    And the finding of rule closure-notifies-agencies for Health Visiting says "does not excuse"

  @rule_closure_notifies_agencies
  Scenario: Of two agencies, only the one not told fails
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the agencies:
      | name            | involvement | consulted on |
      | Health Visiting | ongoing     | 2025-02-10   |
      | the nursery     | ongoing     | 2025-02-11   |
    And the case is closed on 2025-02-20 with early help
    And the agencies told of the closure:
      | agency      | on         |
      | the nursery | 2025-02-20 |
    When the assessment is checked
    Then rule closure-notifies-agencies fails for Health Visiting
    And rule closure-notifies-agencies passes for the nursery

  @rule_closure_notifies_agencies
  Scenario: An agency whose involvement has ended need not be told
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the youth service was involved with the family in the past
    And the case is closed on 2025-02-20 with early help
    And Health Visiting was told of the closure on 2025-02-20
    When the assessment is checked
    Then rule closure-notifies-agencies passes
    And rule closure-notifies-agencies does not apply to the youth service

  @rule_closure_notifies_agencies
  Scenario: Telling an agency by another name does not tell the agency in the record
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    And the health visitor was told of the closure on 2025-02-20
    When the assessment is checked
    Then rule closure-notifies-agencies fails for Health Visiting

  @rule_closure_notifies_agencies
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule closure-notifies-agencies does not apply
