Feature: Adults a looked-after child lives with are checked, whatever the child's age
  Review paragraph 6.4.9: "proper checks must be carried out when a looked after child is subject
  to a change of circumstances, such as moving to live with another adult (even where that adult
  is a boyfriend/girlfriend rather than a carer), and that the duty applies whatever the age of
  the looked after child and however close is the date when the child is expected to cease to be
  a looked after child."

  Each adult a looked-after child lives with needs a completed police check and a completed
  check of children's social care records about them, on or before completion.

  @rule_looked_after_household_checked
  Scenario: No child in the record is looked after
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a partner of a parent
    And Noor lives with Lee since 2024-11-01
    When the assessment is checked
    Then rule looked-after-household-checked does not apply

  @rule_looked_after_household_checked
  Scenario: A looked-after child who lives with no adult in the record
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    When the review is checked
    Then rule looked-after-household-checked does not apply

  @rule_looked_after_household_checked
  Scenario: Noor moved in with her boyfriend, who was checked with the police and children's social care
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And Lee was checked with the police on 2025-02-06
    And Lee was checked with children's social care on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked passes
    And the verdict is pass

  @rule_looked_after_household_checked
  Scenario: Noor moved in with her boyfriend, who was not checked
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    When the review is checked
    Then rule looked-after-household-checked fails for Lee
    And the verdict is fail

  @rule_looked_after_household_checked
  Scenario: The boyfriend was checked with the police only
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And Lee was checked with the police on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked fails for Lee

  @rule_looked_after_household_checked
  Scenario: Checks about the family do not check the boyfriend
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And the family was checked with the police on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked fails for Lee

  @rule_looked_after_household_checked
  Scenario: Noor is weeks from her eighteenth birthday: the duty still applies
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And the child Noor was born on 2007-03-01
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    When the review is checked
    Then rule looked-after-household-checked fails for Lee

  @rule_looked_after_household_checked
  Scenario: A seventeen-year-old's boyfriend who was checked
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And the child Noor was born on 2007-03-01
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And Lee was checked with the police on 2025-02-06
    And Lee was checked with children's social care on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked passes

  @rule_looked_after_household_checked
  Scenario: A police check completed on the day of completion is in time
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And Lee was checked with the police on 2025-02-20
    And Lee was checked with children's social care on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked passes

  @rule_looked_after_household_checked
  Scenario: A police check completed the day after completion is too late
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And an adult Lee, someone else
    And Noor lives with Lee since 2025-01-10
    And Lee was checked with the police on 2025-02-21
    And Lee was checked with children's social care on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked fails for Lee

  @rule_looked_after_household_checked
  Scenario: A looked-after child who goes home to her mother: the mother is checked too
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is looked after
    And Noor lives with Amina since 2025-01-10
    When the review is checked
    Then rule looked-after-household-checked fails for Amina

  @rule_looked_after_household_checked
  Scenario: Of two adults in the household, only the one not checked fails
    Given a looked after review of Noor started on 2025-02-03 and completed on 2025-02-20
    And the children:
      | name | looked after | lives with                               |
      | Noor | yes          | Lee since 2025-01-10, Tom since 2025-01-10 |
    And an adult Lee, someone else
    And an adult Tom, a household member
    And Lee was checked with the police on 2025-02-06
    And Lee was checked with children's social care on 2025-02-06
    When the review is checked
    Then rule looked-after-household-checked fails for Tom
    And rule looked-after-household-checked passes for Lee

  @rule_looked_after_household_checked
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule looked-after-household-checked does not apply
