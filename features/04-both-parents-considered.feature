Feature: Both of each child's parents are considered
  Review paragraph 6.4.5: "No initial assessment is completed without there having been
  consideration given to the situation and significance to the child concerned and his or her
  circumstances of both of that child's parents."

  A child's parents are the mother, father or parent who lists the child (or lists no child at
  all, which makes them a parent of every child). Each needs a record of how they were
  considered, and so does a step-parent who lists the child, though a step-parent does not count
  towards the two parents. A child with fewer than two parents needs a note saying why. A
  placeholder ("n/a", "tbc", "see above" and the like) is not a record.

  @rule_both_parents_considered
  Scenario: Mother and father were both considered
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule both-parents-considered passes
    And the verdict is pass

  @rule_both_parents_considered
  Scenario: The father was never considered
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And there is no record of how Dev was considered
    When the assessment is checked
    Then rule both-parents-considered fails for Noor
    And the finding of rule both-parents-considered for Noor says "how Dev (father) was considered"
    And the verdict is fail

  @rule_both_parents_considered
  Scenario: The record of how the father was considered is a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev was considered: "n/a"
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: A placeholder in capitals and with spaces around it is still a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev was considered: "  To Follow  "
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: A record of only spaces is no record
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev was considered: "   "
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: One parent, with a note saying why the other is not considered
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    And the note on Noor's parents says "Father not named on the birth certificate; mother declines to name him."
    When the assessment is checked
    Then rule both-parents-considered passes

  @rule_both_parents_considered
  Scenario: One parent, and no note
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    When the assessment is checked
    Then rule both-parents-considered fails for Noor
    And the finding of rule both-parents-considered for Noor says "Fewer than two parents"

  @rule_both_parents_considered
  Scenario: One parent, and the note is a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    And the note on Noor's parents says "tbc"
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: No parent in the record, with a note saying why
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    And Amina is not in the record
    And the note on Noor's parents says "Abandoned at birth; parents unknown; police enquiries continue."
    When the assessment is checked
    Then rule both-parents-considered passes

  @rule_both_parents_considered
  Scenario: A step-parent who lists Noor must be considered like a parent
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a step-parent of Noor
    And there is no record of how Lee was considered
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: A step-parent who lists Noor and was considered
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a step-parent of Noor
    And Lee was considered: "Lives with Noor and her mother; seen at home, supportive."
    When the assessment is checked
    Then rule both-parents-considered passes

  @rule_both_parents_considered
  Scenario: A step-parent does not count towards the two parents
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    And an adult Lee, a step-parent of Noor
    When the assessment is checked
    Then rule both-parents-considered fails for Noor

  @rule_both_parents_considered
  Scenario: A step-parent, the mother, and a note on the father
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Dev is not in the record
    And an adult Lee, a step-parent of Noor
    And the note on Noor's parents says "Father died in 2021."
    When the assessment is checked
    Then rule both-parents-considered passes

  @rule_both_parents_considered
  Scenario: A step-parent who lists no child is not considered like a parent
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Lee, a step-parent
    And there is no record of how Lee was considered
    When the assessment is checked
    Then rule both-parents-considered passes

  @rule_both_parents_considered
  Scenario: A father who lists one child is not a parent of the other
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And Dev is listed as a parent of Noor
    When the assessment is checked
    Then rule both-parents-considered fails for Amir
    And rule both-parents-considered passes for Noor

  @rule_both_parents_considered
  Scenario: Each child's own parents, from a table
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And the adults:
      | name  | relationship | parent of     | considered                    |
      | Amina | mother       | Noor and Amir | Seen at home twice.           |
      | Dev   | father       | Noor          | Seen at his flat.             |
      | Sami  | father       | Amir          |                               |
    When the assessment is checked
    Then rule both-parents-considered fails for Amir
    And rule both-parents-considered passes for Noor

  @rule_both_parents_considered
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule both-parents-considered does not apply
