Feature: No further action with checks outstanding rests with a supervisor or manager, with a plan
  Review paragraph 6.4.8: "No assessment can conclude that no further action (NFA) is required
  unless all such outstanding checks have been made or information obtained. In cases where such
  conditional initial assessments are made the responsibility for a decision of NFA should rest
  with the supervisor or manager who should also have a duty to seek to obtain the missing
  information."

  The rule applies when a child's outcome, or the closure, is no further action while a check is
  outstanding at completion. Then the decision must be a supervisor's or a manager's, with their
  plan to obtain the missing information; the finding says the decision is conditional.

  @rule_nfa_needs_all_checks
  Scenario: The outcome is early help, not no further action
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on the family with health is still pending
    When the assessment is checked
    Then rule nfa-needs-all-checks does not apply

  @rule_nfa_needs_all_checks
  Scenario: No further action with every check completed
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And the decision was taken by Sam Okafor, a social worker
    When the assessment is checked
    Then rule nfa-needs-all-checks does not apply

  @rule_nfa_needs_all_checks
  Scenario: A conditional no further action taken by a supervisor with a plan
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the conclusion states what is outstanding: "Health visitor records requested, not received."
    And the decision was taken by Jo Bell, a supervisor
    And the plan to obtain the missing information is "Jo Bell to chase health visiting by 2025-02-27 and reopen if concerns."
    When the assessment is checked
    Then rule nfa-needs-all-checks passes
    And the finding of rule nfa-needs-all-checks for the assessment says "conditional"
    And the finding of rule nfa-needs-all-checks for the assessment says "rests with Jo Bell (a supervisor)"
    And the verdict is pass

  @rule_nfa_needs_all_checks
  Scenario: A conditional no further action taken by a manager with a plan
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the plan to obtain the missing information is "Manager to chase health visiting weekly."
    When the assessment is checked
    Then rule nfa-needs-all-checks passes
    And the finding of rule nfa-needs-all-checks for the assessment says "rests with Priya Shah (a manager)"

  @rule_nfa_needs_all_checks
  Scenario: No further action taken by the social worker with a check pending
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the decision was taken by Sam Okafor, a social worker
    And the plan to obtain the missing information is "Social worker to chase health visiting."
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment
    And the verdict is fail

  @rule_nfa_needs_all_checks
  Scenario: A senior practitioner may not take a conditional no further action either
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the decision was taken by Ola Ade, a senior practitioner
    And the plan to obtain the missing information is "Chase health visiting."
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment

  @rule_nfa_needs_all_checks
  Scenario: No further action taken by a supervisor with no plan
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the decision was taken by Jo Bell, a supervisor
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment
    And the finding of rule nfa-needs-all-checks for the assessment says "no plan to obtain the missing information"

  @rule_nfa_needs_all_checks
  Scenario: No further action taken by a supervisor whose plan is a placeholder
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And a check on the family with health is still pending
    And the decision:
      | by                       | Jo Bell    |
      | role                     | supervisor |
      | missing information plan | tbc        |
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment

  @rule_nfa_needs_all_checks
  Scenario: Closing the case with no further action counts as a decision of no further action
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And a check on the family with health is still pending
    And the decision was taken by Sam Okafor, a social worker
    And the case is closed on 2025-02-20 with no further action
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment

  @rule_nfa_needs_all_checks
  Scenario: A check completed after completion was outstanding when no further action was decided
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the outcome for Noor is no further action
    And the family was checked with health on 2025-02-24
    And the decision was taken by Sam Okafor, a social worker
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment

  @rule_nfa_needs_all_checks
  Scenario: No further action for one of two children is enough for the rule to apply
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And another child Amir
    And the outcome for Amir is no further action
    And a check on the family with health is still pending
    And the decision was taken by Sam Okafor, a social worker
    When the assessment is checked
    Then rule nfa-needs-all-checks fails for the assessment

  @rule_nfa_needs_all_checks
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule nfa-needs-all-checks does not apply
