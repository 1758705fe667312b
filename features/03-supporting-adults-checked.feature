Feature: Adults who support or look after the child are checked
  Review paragraph 6.4.4: "All persons identified as able or available to provide support to the
  child or family concerned relevant to the conclusion of the assessment have themselves been
  adequately checked before the assessment is completed."

  The rule looks at each adult identified as supporting the family, each carer, and each adult
  a child who is not looked after lives with (other than that child's own parent). Each needs a
  completed police check and a completed check of children's social care records about them, on
  or before completion. A check about the family does not check an adult.

  @rule_supporting_adults_checked
  Scenario: The aunt who supports the family was checked with the police and children's social care
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And Eve was checked with the police on 2025-02-12
    When the assessment is checked
    Then rule supporting-adults-checked passes
    And the verdict is pass

  @rule_supporting_adults_checked
  Scenario: The aunt's police check was still pending
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And a check on Eve with the police is still pending
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the verdict is fail

  @rule_supporting_adults_checked
  Scenario: The aunt was checked with children's social care only
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the finding of rule supporting-adults-checked for Eve says "police"

  @rule_supporting_adults_checked
  Scenario: A police check on the aunt was not possible
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And a check on Eve with the police was not possible
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve

  @rule_supporting_adults_checked
  Scenario: Checks about the family do not check the aunt
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-04   |
      | the family | the police             | 2025-02-04   |
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve

  @rule_supporting_adults_checked
  Scenario: A police check completed on the day of completion is in time
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And Eve was checked with the police on 2025-02-20
    When the assessment is checked
    Then rule supporting-adults-checked passes

  @rule_supporting_adults_checked
  Scenario: A police check completed the day after completion is too late
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And Eve was checked with the police on 2025-02-21
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve

  @rule_supporting_adults_checked
  Scenario: A check made before the assessment started still checks the adult
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-01-15
    And Eve was checked with the police on 2025-01-15
    When the assessment is checked
    Then rule supporting-adults-checked passes

  @rule_supporting_adults_checked
  Scenario: A carer who was not checked
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Maryam, a carer
    When the assessment is checked
    Then rule supporting-adults-checked fails for Maryam

  @rule_supporting_adults_checked
  Scenario: The mother's partner lives with Noor and was not checked
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a partner of a parent
    And Noor lives with Lee since 2024-11-01
    When the assessment is checked
    Then rule supporting-adults-checked fails for Lee

  @rule_supporting_adults_checked
  Scenario: A step-parent Noor lives with is not her parent, and must be checked
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a step-parent of Noor
    And Noor lives with Lee since 2024-11-01
    When the assessment is checked
    Then rule supporting-adults-checked fails for Lee

  @rule_supporting_adults_checked
  Scenario: Noor's own mother, who she lives with, is not in scope
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Noor lives with Amina since 2018-06-01
    When the assessment is checked
    Then rule supporting-adults-checked does not apply

  @rule_supporting_adults_checked
  Scenario: An adult a looked-after child lives with is for the looked-after rule, not this one
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    When the review is checked
    Then rule supporting-adults-checked does not apply

  @rule_supporting_adults_checked
  Scenario: Of two supporting adults, only the one not checked fails
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the adults:
      | name  | relationship  | supporting | considered                            |
      | Amina | mother        | no         | Seen at home twice.                   |
      | Dev   | father        | no         | Seen at his flat.                     |
      | Eve   | relative      | yes        | Mother's sister, does the school run. |
      | Rosa  | family friend | yes        | Neighbour, babysits on Fridays.       |
    And Eve was checked with children's social care on 2025-02-05
    And Eve was checked with the police on 2025-02-06
    When the assessment is checked
    Then rule supporting-adults-checked fails for Rosa
    And rule supporting-adults-checked passes for Eve

  @rule_supporting_adults_checked
  Scenario: No adult supports or looks after the children other than their parents
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule supporting-adults-checked does not apply
    And rule supporting-adults-checked does not apply to Amina and Dev

  @rule_supporting_adults_checked
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule supporting-adults-checked does not apply
