Feature: Every child is physically seen before the assessment is completed
  Review paragraph 6.4.3: "A child affected by or the subject of an initial assessment is
  physically seen before an assessment is completed."

  Each child, except an unborn child, needs a visit in person between the start of the
  assessment and its completion (both days count). A video or phone contact does not count: the
  child must be physically seen.

  @rule_child_seen
  Scenario: Noor was seen in person during the assessment
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-05
    When the assessment is checked
    Then rule child-seen passes
    And the verdict is pass

  @rule_child_seen
  Scenario: Noor was seen only by video
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen by video on 2025-02-05
    When the assessment is checked
    Then rule child-seen fails for Noor
    And the verdict is fail

  @rule_child_seen
  Scenario: Noor was only spoken to by phone
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen by phone on 2025-02-05
    When the assessment is checked
    Then rule child-seen fails for Noor

  @rule_child_seen
  Scenario: Noor was seen alone by video, which still does not count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen by video and alone on 2025-02-05
    When the assessment is checked
    Then rule child-seen fails for Noor

  @rule_child_seen
  Scenario: Noor was not seen at all
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was not seen
    When the assessment is checked
    Then rule child-seen fails for Noor
    And the finding of rule child-seen for Noor says "was not seen in person"

  @rule_child_seen
  Scenario: A video call and a visit in person: the visit counts
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen by video on 2025-02-04
    And the child Noor was seen in person on 2025-02-11
    When the assessment is checked
    Then rule child-seen passes

  @rule_child_seen
  Scenario: Seen in person on the day the assessment started
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-03
    When the assessment is checked
    Then rule child-seen passes

  @rule_child_seen
  Scenario: Seen in person on the day of completion
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-20
    When the assessment is checked
    Then rule child-seen passes

  @rule_child_seen
  Scenario: Seen in person the day before the assessment started
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-02
    When the assessment is checked
    Then rule child-seen fails for Noor

  @rule_child_seen
  Scenario: Seen in person the day after completion
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-21
    When the assessment is checked
    Then rule child-seen fails for Noor

  @rule_child_seen
  Scenario: A child affected by the assessment must be seen too, not only its subject
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And the child Amir was not seen
    When the assessment is checked
    Then rule child-seen fails for Amir
    And rule child-seen passes for Noor

  @rule_child_seen
  Scenario: An unborn child is not seen
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is unborn
    When the assessment is checked
    Then rule child-seen does not apply

  @rule_child_seen
  Scenario: A pre-birth assessment with an older sibling: the sibling must be seen
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor is unborn
    And another child Amir
    And the child Amir was seen by phone on 2025-02-06
    When the assessment is checked
    Then rule child-seen fails for Amir
    And rule child-seen does not apply to Noor

  @rule_child_seen
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule child-seen does not apply
