Feature: Internal and inter-agency checks are made, and agencies consulted, before completion
  Review paragraph 6.4.2: "Appropriate checks on available internal and inter-agency files and
  databases for relevant family information have been made, and other relevant agencies
  consulted, before an initial assessment is completed."

  The assessment needs a completed check of children's social care records and a completed
  check with another agency, each between the start of the assessment and its completion. Every
  agency with ongoing involvement is consulted on or before completion.

  @rule_agency_checks_made
  Scenario: The authority's records and the police were checked, and health visiting consulted
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-10
    When the assessment is checked
    Then rule agency-checks-made passes
    And the verdict is pass

  @rule_agency_checks_made
  Scenario: Only the authority's own records were checked
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-04   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment
    And the verdict is fail

  @rule_agency_checks_made
  Scenario: Other agencies were checked, but not the authority's own records
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source     | completed on |
      | the family | the police | 2025-02-04   |
      | the family | health     | 2025-02-05   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment

  @rule_agency_checks_made
  Scenario: No checks were made at all
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And no checks were made
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment
    And the finding of rule agency-checks-made for the assessment says "No check of the authority's own records"

  @rule_agency_checks_made
  Scenario: The check of the authority's own records was still pending
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | status    | completed on |
      | the family | children's social care | pending   |              |
      | the family | the police             | completed | 2025-02-04   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment

  @rule_agency_checks_made
  Scenario: An inter-agency check that was not possible does not count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | status       | completed on |
      | the family | children's social care | completed    | 2025-02-04   |
      | the family | the police             | not possible |              |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment

  @rule_agency_checks_made
  Scenario: Checks completed on the day the assessment started count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-03   |
      | the family | the police             | 2025-02-03   |
    When the assessment is checked
    Then rule agency-checks-made passes

  @rule_agency_checks_made
  Scenario: Checks completed on the day of completion count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-20   |
      | the family | the police             | 2025-02-20   |
    When the assessment is checked
    Then rule agency-checks-made passes

  @rule_agency_checks_made
  Scenario: An inter-agency check completed the day after completion does not count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-04   |
      | the family | the police             | 2025-02-21   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment

  @rule_agency_checks_made
  Scenario: A check completed before the assessment started does not count
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-04   |
      | the family | the police             | 2025-01-20   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment

  @rule_agency_checks_made
  Scenario: A check about one adult counts as a check of the files
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the checks:
      | about      | source                 | completed on |
      | the family | children's social care | 2025-02-04   |
      | Amina      | health                 | 2025-02-06   |
    When the assessment is checked
    Then rule agency-checks-made passes

  @rule_agency_checks_made
  Scenario: An agency with ongoing involvement was never consulted
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was not consulted
    When the assessment is checked
    Then rule agency-checks-made fails for Health Visiting
    And the verdict is fail

  @rule_agency_checks_made
  Scenario: An agency consulted on the day of completion was consulted in time
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-20
    When the assessment is checked
    Then rule agency-checks-made passes for Health Visiting

  @rule_agency_checks_made
  Scenario: An agency consulted the day after completion was consulted too late
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Health Visiting is involved with the family and was consulted on 2025-02-21
    When the assessment is checked
    Then rule agency-checks-made fails for Health Visiting

  @rule_agency_checks_made
  Scenario: An agency whose involvement has ended need not be consulted
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the youth service was involved with the family in the past
    When the assessment is checked
    Then rule agency-checks-made passes
    And rule agency-checks-made does not apply to the youth service

  @rule_agency_checks_made
  Scenario: Missing checks and an agency not consulted are both reported
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And no checks were made
    And the agencies:
      | name            | involvement | consulted on |
      | Health Visiting | ongoing     |              |
      | the nursery     | ongoing     | 2025-02-12   |
    When the assessment is checked
    Then rule agency-checks-made fails for the assessment and Health Visiting
    And rule agency-checks-made passes for the nursery

  @rule_agency_checks_made
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-03-03 and completed on 2025-03-10
    And Lee was discharged from adult mental health services on 2025-03-10 after completing treatment
    And the risk Lee poses to children was assessed on 2025-03-10 as no risk
    When the record is checked
    Then rule agency-checks-made does not apply
