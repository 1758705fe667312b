Feature: In a section 47 enquiry, each child is seen alone (advisory)
  Working Together and local procedures: the child is seen alone where appropriate. In a record
  of kind s47, each child (except an unborn child) needs a visit in person and alone between the
  start of the enquiry and its completion. The rule is advisory: it is reported, but never fails
  the record.

  @rule_child_seen_alone
  Scenario: An initial assessment is not a section 47 enquiry
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-05
    When the assessment is checked
    Then rule child-seen-alone does not apply

  @rule_child_seen_alone
  Scenario: Noor was seen alone
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person and alone on 2025-02-05
    When the enquiry is checked
    Then rule child-seen-alone passes
    And the verdict is pass

  @rule_child_seen_alone @rule_child_seen
  Scenario: Noor was seen only with her mother, which does not fail the record
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-05
    When the enquiry is checked
    Then rule child-seen-alone fails for Noor
    And rule child-seen passes
    And the verdict is pass

  @rule_child_seen_alone
  Scenario: Seen alone, but by video
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-04
    And the child Noor was seen by video and alone on 2025-02-05
    When the enquiry is checked
    Then rule child-seen-alone fails for Noor

  @rule_child_seen_alone
  Scenario: Seen alone on the day of completion
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person and alone on 2025-02-20
    When the enquiry is checked
    Then rule child-seen-alone passes

  @rule_child_seen_alone
  Scenario: Seen alone the day after completion
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-04
    And the child Noor was seen in person and alone on 2025-02-21
    When the enquiry is checked
    Then rule child-seen-alone fails for Noor

  @rule_child_seen_alone
  Scenario: Seen alone the day before the enquiry started
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-04
    And the child Noor was seen in person and alone on 2025-02-02
    When the enquiry is checked
    Then rule child-seen-alone fails for Noor

  @rule_child_seen_alone
  Scenario: Of two children, only the one not seen alone fails
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And the child Noor was seen in person on 2025-02-05
    When the enquiry is checked
    Then rule child-seen-alone fails for Noor
    And rule child-seen-alone passes for Amir

  @rule_child_seen_alone
  Scenario: An unborn child is not seen
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is unborn
    When the enquiry is checked
    Then rule child-seen-alone does not apply

  @rule_child_seen_alone
  Scenario: A discharge record is not a section 47 enquiry
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule child-seen-alone does not apply
