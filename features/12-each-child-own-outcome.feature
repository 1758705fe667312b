Feature: Each child has an outcome of their own
  Review paragraph 6.2.2: "the need for the position of each child or young person in a
  situation under consideration, irrespective of age, to be considered separately, and for there
  to be individual and robust assessments leading to the making of a clear plan in respect of
  each child."

  @rule_each_child_own_outcome
  Scenario: Noor's own outcome is recorded
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is a child in need plan
    When the assessment is checked
    Then rule each-child-own-outcome passes
    And the verdict is pass

  @rule_each_child_own_outcome
  Scenario: Noor has no outcome recorded
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And no outcome is recorded for Noor
    When the assessment is checked
    Then rule each-child-own-outcome fails for Noor
    And the verdict is fail

  @rule_each_child_own_outcome
  Scenario: The subject of the assessment has an outcome, but her brother does not
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And no outcome is recorded for Amir
    When the assessment is checked
    Then rule each-child-own-outcome fails for Amir
    And rule each-child-own-outcome passes for Noor

  @rule_each_child_own_outcome
  Scenario: Three children, from a table, one of them with no outcome
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the children:
      | name | born       | outcome                       |
      | Noor | 2021-05-02 | early help                    |
      | Amir | 2012-09-14 |                               |
      | Zara | 2008-01-30 | a child protection conference |
    When the assessment is checked
    Then rule each-child-own-outcome fails for Amir
    And rule each-child-own-outcome passes for Noor and Zara

  @rule_each_child_own_outcome
  Scenario: An unborn child needs an outcome of their own too
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is unborn
    And no outcome is recorded for Noor
    When the assessment is checked
    Then rule each-child-own-outcome fails for Noor

  @rule_each_child_own_outcome
  Scenario: An outcome of "another outcome" is an outcome
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is another outcome
    When the assessment is checked
    Then rule each-child-own-outcome passes

  @rule_each_child_own_outcome
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule each-child-own-outcome does not apply
