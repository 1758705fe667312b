Feature: A discharge records whether the adult poses a risk to children
  Review paragraph 6.10.1: "at the point of discharge from mental health care an assessment is
  made and recorded as to whether or not the person concerned is considered to pose a risk to
  children, whether that be to any particular known child, or to children in general with whom
  that person might come in to contact."

  Each discharge of an adult from an adult service records an assessment of risk to children,
  made on or before the day of the discharge. "Unknown" is a recorded assessment.

  @rule_discharge_risk_recorded
  Scenario: An assessment with no discharge
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule discharge-risk-recorded does not apply

  @rule_discharge_risk_recorded
  Scenario: Risk to children assessed on the day of discharge
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule discharge-risk-recorded passes
    And the verdict is pass

  @rule_discharge_risk_recorded
  Scenario: Risk to children assessed a week before discharge
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-03 as no risk
    When the record is checked
    Then rule discharge-risk-recorded passes

  @rule_discharge_risk_recorded
  Scenario: A risk recorded as unknown is still recorded
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as unknown
    And the disclosure decision for Lee is partial disclosure, because "GP and probation told; no named child."
    When the record is checked
    Then rule discharge-risk-recorded passes

  @rule_discharge_risk_recorded
  Scenario: Discharged for not attending with no assessment of risk to children
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    When the record is checked
    Then rule discharge-risk-recorded fails for Lee
    And the verdict is fail

  @rule_discharge_risk_recorded
  Scenario: Risk to children assessed the day after discharge
    Given a discharge record started on 2025-03-03 and completed on 2025-03-11
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-11 as no risk
    When the record is checked
    Then rule discharge-risk-recorded fails for Lee
    And the finding of rule discharge-risk-recorded for Lee says "after the discharge"

  @rule_discharge_risk_recorded
  Scenario: Of two discharges, only the one with no assessment fails
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And the discharges:
      | person | service                   | on         | reason                     | risk    |
      | Lee    | substance misuse services | 2025-03-07 | after completing treatment | no risk |
      | Ray    | probation                 | 2025-03-10 | after moving away          |         |
    When the record is checked
    Then rule discharge-risk-recorded fails for Ray
    And rule discharge-risk-recorded passes for Lee

  @rule_discharge_risk_recorded
  Scenario: A discharge recorded in an assessment is checked too
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev was discharged from substance misuse services on 2025-02-10 after disengaging
    When the assessment is checked
    Then rule discharge-risk-recorded fails for Dev
