Feature: The clean assessment every scenario starts from
  Every scenario starts from a clean record and changes only what it is about. These scenarios
  show that the clean record passes every rule, or the rule does not apply to it, so that a
  scenario's result comes from what the scenario says and from nothing else.

  @rule_agency_checks_made @rule_child_seen @rule_both_parents_considered
  @rule_recommendations_for_progression @rule_each_child_own_outcome @rule_assessment_timescale
  Scenario: The clean initial assessment passes the rules that apply to it
    Given an initial assessment started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then the verdict is pass
    And rule agency-checks-made passes
    And rule child-seen passes for Noor
    And rule both-parents-considered passes for Noor
    And rule recommendations-for-progression passes for Noor
    And rule each-child-own-outcome passes for Noor
    And rule assessment-timescale passes

  @rule_supporting_adults_checked @rule_outstanding_information_stated
  @rule_nfa_needs_all_checks @rule_looked_after_household_checked
  @rule_closure_notifies_agencies @rule_discharge_risk_recorded
  @rule_discharge_disclosure_decided @rule_disengagement_closure_decided @rule_child_seen_alone
  Scenario: The rules about what the clean assessment does not have do not apply to it
    Given an initial assessment started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule supporting-adults-checked does not apply
    And rule outstanding-information-stated does not apply
    And rule nfa-needs-all-checks does not apply
    And rule looked-after-household-checked does not apply
    And rule closure-notifies-agencies does not apply
    And rule discharge-risk-recorded does not apply
    And rule discharge-disclosure-decided does not apply
    And rule disengagement-closure-decided does not apply
    And rule child-seen-alone does not apply

  @rule_child_seen_alone
  Scenario: The clean section 47 enquiry passes too
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    When the enquiry is checked
    Then the verdict is pass
    And rule child-seen-alone passes for Noor
