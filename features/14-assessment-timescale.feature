Feature: The assessment concludes within 45 working days (advisory)
  Working Together to Safeguard Children: assessments conclude within 45 working days. Working
  days are Monday to Friday, England and Wales bank holidays excluded; the start day is day 0.
  The rule is advisory: it is reported, but never fails the record.

  @rule_assessment_timescale
  Scenario: Thirteen working days
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule assessment-timescale passes
    And the finding of rule assessment-timescale for the assessment says "13 working days"

  @rule_assessment_timescale
  Scenario: Exactly 45 working days
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-04-07
    When the assessment is checked
    Then rule assessment-timescale passes

  @rule_assessment_timescale
  Scenario: 46 working days is over the timescale, but does not fail the record
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-04-08
    When the assessment is checked
    Then rule assessment-timescale fails for the assessment
    And the finding of rule assessment-timescale for the assessment says "46 working days"
    And the verdict is pass

  @rule_assessment_timescale
  Scenario: Easter and the May bank holidays are not working days
    Given an initial assessment of Noor started on 2025-03-31 and completed on 2025-06-06
    When the assessment is checked
    Then rule assessment-timescale passes
    And the finding of rule assessment-timescale for the assessment says "45 working days"

  @rule_assessment_timescale
  Scenario: One working day past the timescale, across the spring bank holidays
    Given an initial assessment of Noor started on 2025-03-31 and completed on 2025-06-09
    When the assessment is checked
    Then rule assessment-timescale fails for the assessment

  @rule_assessment_timescale
  Scenario: Christmas, Boxing Day and New Year's Day are not working days
    Given an initial assessment of Noor started on 2024-11-25 and completed on 2025-01-30
    When the assessment is checked
    Then rule assessment-timescale passes

  @rule_assessment_timescale
  Scenario: One working day past the timescale, across Christmas
    Given an initial assessment of Noor started on 2024-11-25 and completed on 2025-01-31
    When the assessment is checked
    Then rule assessment-timescale fails for the assessment

  @rule_assessment_timescale
  Scenario: Started on a Friday and completed on the Monday after
    Given an initial assessment of Noor started on 2025-02-07 and completed on 2025-02-10
    When the assessment is checked
    Then rule assessment-timescale passes
    And the finding of rule assessment-timescale for the assessment says "1 working day,"

  @rule_assessment_timescale
  Scenario: A discharge record is not an assessment
    Given a discharge record started on 2025-01-02 and completed on 2025-06-30
    And Lee was discharged from adult mental health services on 2025-06-30 after completing treatment
    And the risk Lee poses to children was assessed on 2025-06-30 as no risk
    When the record is checked
    Then rule assessment-timescale does not apply
