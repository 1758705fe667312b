Feature: The conclusion says what could not be obtained or checked
  Review paragraph 6.4.6: "where it has not been possible for any reason to obtain all relevant
  information or make all relevant checks within the timescale required for the completion of
  the assessment, the conclusion of the assessment should include reference to that fact."

  A check is outstanding at completion when it is not completed, or was completed after
  completion. When any check is outstanding, the conclusion must state what is outstanding.

  @rule_outstanding_information_stated
  Scenario: Every check was completed before completion
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule outstanding-information-stated does not apply

  @rule_outstanding_information_stated
  Scenario: A pending health check is stated in the conclusion
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on the family with health is still pending
    And the conclusion states what is outstanding: "Health visitor records requested on 2025-02-10, not yet received."
    When the assessment is checked
    Then rule outstanding-information-stated passes
    And the verdict is pass

  @rule_outstanding_information_stated
  Scenario: A pending health check is not stated
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on the family with health is still pending
    When the assessment is checked
    Then rule outstanding-information-stated fails for the assessment
    And the verdict is fail

  @rule_outstanding_information_stated
  Scenario: The statement of what is outstanding is a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on the family with health is still pending
    And the conclusion states what is outstanding: "N/A"
    When the assessment is checked
    Then rule outstanding-information-stated fails for the assessment

  @rule_outstanding_information_stated
  Scenario: A check that was not possible is outstanding
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on Dev with probation was not possible
    When the assessment is checked
    Then rule outstanding-information-stated fails for the assessment

  @rule_outstanding_information_stated
  Scenario: A check completed the day after completion was outstanding at completion
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the family was checked with health on 2025-02-21
    When the assessment is checked
    Then rule outstanding-information-stated fails for the assessment

  @rule_outstanding_information_stated
  Scenario: A check completed on the day of completion was not outstanding
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the family was checked with health on 2025-02-20
    When the assessment is checked
    Then rule outstanding-information-stated does not apply

  @rule_outstanding_information_stated
  Scenario: A check completed late, and the conclusion says so
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the family was checked with health on 2025-02-21
    And the conclusion states what is outstanding: "Health visiting records not back at completion."
    When the assessment is checked
    Then rule outstanding-information-stated passes

  @rule_outstanding_information_stated
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule outstanding-information-stated does not apply
