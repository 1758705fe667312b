Feature: A discharge for non-attendance or with a risk to children records a disclosure decision
  Review paragraphs 6.10.2 and 6.10.3: guidance should "distinguish between patients who are
  discharged on completion of a programme of health care and those discharged for less benign
  reasons, such as repeated failure to attend appointments", and "in all cases where a risk is
  identified a specific decision should be made as to whether to make full or partial
  disclosure, or no disclosure, of information, and the reasons for that decision should be
  recorded."

  The rule applies to each discharge for not attending or disengaging, and to each discharge
  where the risk to children is assessed as a risk or unknown. It needs a disclosure decision
  (full, partial or none) and its reasons. A decision of none, with reasons, passes: the question
  was asked.

  @rule_discharge_disclosure_decided
  Scenario: Discharged on completing treatment, with no risk found
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule discharge-disclosure-decided does not apply

  @rule_discharge_disclosure_decided
  Scenario: Discharged after moving away, with no risk found
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from probation on 2025-03-10 after moving away
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule discharge-disclosure-decided does not apply

  @rule_discharge_disclosure_decided
  Scenario: An assessment with no discharge
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule discharge-disclosure-decided does not apply

  @rule_discharge_disclosure_decided
  Scenario: Discharged for not attending: a decision not to disclose, with reasons
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    And the disclosure decision for Lee is no disclosure, because "No children known; GP told of the discharge."
    When the record is checked
    Then rule discharge-disclosure-decided passes
    And the verdict is pass

  @rule_discharge_disclosure_decided
  Scenario: Discharged for not attending with no disclosure decision
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee
    And the verdict is fail

  @rule_discharge_disclosure_decided
  Scenario: A disclosure decision with no reasons
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    And the disclosure decision for Lee is no disclosure, with no reasons
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee
    And the finding of rule discharge-disclosure-decided for Lee says "no reasons recorded"

  @rule_discharge_disclosure_decided
  Scenario: A disclosure decision whose reasons are a placeholder
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    And the disclosure decision for Lee is no disclosure, because "n/a"
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee

  @rule_discharge_disclosure_decided
  Scenario: Discharged after disengaging with no disclosure decision
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from substance misuse services on 2025-03-10 after disengaging
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee

  @rule_discharge_disclosure_decided
  Scenario: Treatment completed, but a risk to children was found and nothing decided
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as a risk
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee

  @rule_discharge_disclosure_decided
  Scenario: Treatment completed, a risk found, and partial disclosure decided with reasons
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as a risk
    And the disclosure decision for Lee is partial disclosure, because "Children's social care told of the risk; details withheld."
    When the record is checked
    Then rule discharge-disclosure-decided passes

  @rule_discharge_disclosure_decided
  Scenario: Treatment completed, the risk unknown, and nothing decided
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as unknown
    When the record is checked
    Then rule discharge-disclosure-decided fails for Lee

  @rule_discharge_disclosure_decided
  Scenario: A risk identified, and full disclosure decided with reasons
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 for not attending
    And the risk Lee poses to children was assessed on 2025-03-10 as a risk
    And the disclosure decision for Lee is full disclosure, because "Known to live with a partner who has a child of 3."
    When the record is checked
    Then rule discharge-disclosure-decided passes
