Feature: Closing after disengagement records whether to notify other agencies, and why
  Review paragraph 6.2.4: "'did not attend' and 'discharge from service' arrangements, and case
  closure policies, accommodate the on-going safety and welfare needs of children and young
  people." Paragraph 6.13.1: "at the point of non-engagement or disengagement an assessment is
  made as to any action required to safeguard the on-going safety and welfare of children and
  young people, to include a specific decision to be made and recorded as to whether or not
  notification to other agencies is appropriate."

  When the case is closed because the family disengaged or did not attend, the closure records
  a decision whether to notify other agencies, with its reasons.

  @rule_disengagement_closure_decided
  Scenario: The case is not being closed
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule disengagement-closure-decided does not apply

  @rule_disengagement_closure_decided
  Scenario: The case is closed with no further action
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 with no further action
    When the assessment is checked
    Then rule disengagement-closure-decided does not apply

  @rule_disengagement_closure_decided
  Scenario: The case is closed because the family moved away
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family moved away
    When the assessment is checked
    Then rule disengagement-closure-decided does not apply

  @rule_disengagement_closure_decided
  Scenario: Closed after the family disengaged, with no decision recorded
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family disengaged
    When the assessment is checked
    Then rule disengagement-closure-decided fails for the assessment
    And the verdict is fail

  @rule_disengagement_closure_decided
  Scenario: Closed after the family disengaged: a decision not to notify, with reasons
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family disengaged
    And the closure records the decision not to notify, because "No other agency is involved; GP already aware."
    When the assessment is checked
    Then rule disengagement-closure-decided passes
    And the verdict is pass

  @rule_disengagement_closure_decided
  Scenario: Closed after the family disengaged: a decision to notify, with reasons
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family disengaged
    And the closure records the decision to notify, because "The school and GP should know the family stopped engaging."
    When the assessment is checked
    Then rule disengagement-closure-decided passes

  @rule_disengagement_closure_decided
  Scenario: A decision on notifying with no reasons
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family disengaged
    And the closure records the decision not to notify, with no reasons
    When the assessment is checked
    Then rule disengagement-closure-decided fails for the assessment
    And the finding of rule disengagement-closure-decided for the assessment says "no recorded reasons"

  @rule_disengagement_closure_decided
  Scenario: A decision on notifying whose reasons are a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family disengaged
    And the closure records the decision not to notify, because "tbc"
    When the assessment is checked
    Then rule disengagement-closure-decided fails for the assessment

  @rule_disengagement_closure_decided
  Scenario: Closed because the family did not attend, with no decision recorded
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family did not attend
    When the assessment is checked
    Then rule disengagement-closure-decided fails for the assessment

  @rule_disengagement_closure_decided
  Scenario: Closed because the family did not attend, with a decision and reasons
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the case is closed on 2025-02-20 because the family did not attend
    And the closure records the decision to notify, because "Health visiting to follow up at home."
    When the assessment is checked
    Then rule disengagement-closure-decided passes

  @rule_disengagement_closure_decided
  Scenario: Closed because the family did not attend, with a decision but no reasons
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the closure:
      | on                   | 2025-02-20     |
      | reason               | did not attend |
      | notify               | no             |
      | notification reasons |                |
    When the assessment is checked
    Then rule disengagement-closure-decided fails for the assessment

  @rule_disengagement_closure_decided
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule disengagement-closure-decided does not apply
