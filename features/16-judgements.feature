Feature: Professional judgement on a finding
  A judgement (record format 1.1) answers the failing finding of one rule for one subject: who
  made it, in what role, when, why in their words, and until when. It never deletes the
  finding: a judgement that applies makes the finding accepted, and an accepted blocker does not
  fail the record. Each rule file says who may make one (rules.md, Judgements): anyone for the
  advisory rules, a supervisor or manager for supporting-adults-checked, agency-checks-made and
  closure-notifies-agencies, and nobody for every other rule. A judgement applies when the rule
  allows it from that role, it was made on or after the day the assessment started, it has not
  expired, and its reason is a reason (at least 4 words). A judgement whose finding does not
  fail is stale: shown, never counted.

  @rule_supporting_adults_checked
  Scenario: A manager accepts that the aunt could not be checked by the police in time
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Eve was checked with children's social care on 2025-02-05
    And a check on Eve with the police is still pending
    And the conclusion states what is outstanding: "The police check on Eve has not come back."
    And B. Manager, a manager, accepted the finding of supporting-adults-checked for Eve on 2025-02-20 because "the police check was requested twice and Eve never cares for Noor alone"
    When the assessment is checked
    Then rule supporting-adults-checked is accepted for Eve
    And the judgement on rule supporting-adults-checked for Eve applies
    And the finding of rule supporting-adults-checked for Eve says "was not checked with the police"
    And the verdict is pass

  @rule_supporting_adults_checked
  Scenario: A rule still fails while any of its findings fails
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And an adult Lee, a carer
    And B. Manager, a manager, accepted the finding of supporting-adults-checked for Eve on 2025-02-20 because "the police check was requested twice and Eve never cares for Noor alone"
    When the assessment is checked
    Then rule supporting-adults-checked fails for Lee
    And the judgement on rule supporting-adults-checked for Eve applies
    And the verdict is fail

  @rule_each_child_own_outcome
  Scenario: A blocker that admits no exception allows no judgement
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And no outcome is recorded for Noor
    And B. Manager, a manager, accepted the finding of each-child-own-outcome for Noor on 2025-02-20 because "the outcome is recorded on the family's plan instead"
    When the assessment is checked
    Then rule each-child-own-outcome fails for Noor
    And the judgement on rule each-child-own-outcome for Noor does not apply: "allows no judgement"
    And the verdict is fail

  @rule_supporting_adults_checked
  Scenario: A social worker may not make a judgement that only a supervisor or manager may
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And Sam Okafor, a social worker, accepted the finding of supporting-adults-checked for Eve on 2025-02-20 because "the police check was requested twice and is delayed"
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the judgement on rule supporting-adults-checked for Eve does not apply: "a social worker may not"
    And the verdict is fail

  @rule_supporting_adults_checked
  Scenario: A judgement that has expired does not apply
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And B. Manager, a manager, accepted the finding of supporting-adults-checked for Eve on 2025-02-10 because "the police check was requested twice and is delayed"
    And that judgement expires on 2025-02-14
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the judgement on rule supporting-adults-checked for Eve does not apply: "expired on 14 February 2025"

  @rule_supporting_adults_checked
  Scenario: A judgement made before the assessment started does not apply
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And B. Manager, a manager, accepted the finding of supporting-adults-checked for Eve on 2025-01-20 because "Eve was checked in the last assessment of this family"
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the judgement on rule supporting-adults-checked for Eve does not apply: "before the assessment started"

  @rule_supporting_adults_checked
  Scenario: A bare "agreed" is not a reason
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And an adult Eve, a relative
    And Eve is identified as able to support the family
    And B. Manager, a manager, accepted the finding of supporting-adults-checked for Eve on 2025-02-20 because "Agreed."
    When the assessment is checked
    Then rule supporting-adults-checked fails for Eve
    And the judgement on rule supporting-adults-checked for Eve does not apply: "is not a reason"

  @rule_child_seen_alone
  Scenario: The worker records why seeing the child alone was not appropriate
    Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-05
    And Sam Okafor, a social worker, accepted the finding of child-seen-alone for Noor on 2025-02-19 because "Noor is two and would not leave her mother"
    When the enquiry is checked
    Then rule child-seen-alone is accepted for Noor
    And the verdict is pass

  @rule_assessment_timescale
  Scenario: The worker records the reason for the delay
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-04-08
    And Sam Okafor, a social worker, accepted the finding of assessment-timescale for the assessment on 2025-04-08 because "the family were abroad for three weeks in March"
    When the assessment is checked
    Then rule assessment-timescale is accepted for the assessment
    And the verdict is pass

  @rule_closure_notifies_agencies
  Scenario: An agency is named in a judgement ignoring case and spaces
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    And the case is closed on 2025-02-20 with early help
    And B. Manager, a supervisor, accepted the finding of closure-notifies-agencies for health  visiting on 2025-02-20 because "the health visitor was at the closing meeting and knows"
    When the assessment is checked
    Then rule closure-notifies-agencies is accepted for Health Visiting
    And the verdict is pass

  @rule_child_seen
  Scenario: A judgement on a finding that passes is stale
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen in person on 2025-02-05
    And B. Manager, a manager, accepted the finding of child-seen for Noor on 2025-02-20 because "Noor was seen at nursery by the health visitor"
    When the assessment is checked
    Then rule child-seen passes
    And the judgement on rule child-seen for Noor is stale

  @rule_child_seen_alone
  Scenario: A judgement on a rule that does not apply is stale
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Sam Okafor, a social worker, accepted the finding of child-seen-alone for Noor on 2025-02-19 because "Noor is two and would not leave her mother"
    When the assessment is checked
    Then rule child-seen-alone does not apply
    And the judgement on rule child-seen-alone for Noor is stale
