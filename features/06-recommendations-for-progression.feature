Feature: Each child has clear recommendations for progression
  Review paragraph 6.4.7: "The conclusion of an assessment must include clear recommendations for
  progression."

  Each child needs recommendations recorded: not empty, not only spaces, and not a placeholder
  ("n/a", "tbc", "see above" and the like).

  @rule_recommendations_for_progression
  Scenario: Recommendations are recorded for Noor
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are "Refer to the early help team; health visitor to review in 6 weeks."
    When the assessment is checked
    Then rule recommendations-for-progression passes
    And the verdict is pass

  @rule_recommendations_for_progression
  Scenario: No recommendations are recorded
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And no recommendations are recorded for Noor
    When the assessment is checked
    Then rule recommendations-for-progression fails for Noor
    And the verdict is fail

  @rule_recommendations_for_progression
  Scenario: The recommendations are "see above"
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are "see above"
    When the assessment is checked
    Then rule recommendations-for-progression fails for Noor

  @rule_recommendations_for_progression
  Scenario: The recommendations are "TBC"
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are "TBC"
    When the assessment is checked
    Then rule recommendations-for-progression fails for Noor

  @rule_recommendations_for_progression
  Scenario: The recommendations are only spaces
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are "   "
    When the assessment is checked
    Then rule recommendations-for-progression fails for Noor

  @rule_recommendations_for_progression
  Scenario: The recommendations are empty
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are ""
    When the assessment is checked
    Then rule recommendations-for-progression fails for Noor

  @rule_recommendations_for_progression
  Scenario: A sentence that starts with a placeholder word is not a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the recommendations for Noor are "None beyond universal services: close, health visitor to continue."
    When the assessment is checked
    Then rule recommendations-for-progression passes

  @rule_recommendations_for_progression
  Scenario: Each child needs their own recommendations
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And no recommendations are recorded for Amir
    When the assessment is checked
    Then rule recommendations-for-progression fails for Amir
    And rule recommendations-for-progression passes for Noor

  @rule_recommendations_for_progression
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule recommendations-for-progression does not apply
