/**
 * A valid answer set of the TSM template, for someone who had a repair and did not complain
 * (the submission benchmark posts it; tests send it).
 */
export const validTsm = (): Record<string, string> => ({
  overall_satisfaction: 'fairly_satisfied',
  had_repair: 'yes',
  repairs_overall: 'very_satisfied',
  repair_time: 'fairly_dissatisfied',
  home_safe: 'dont_know',
  fair_and_respectful: 'agree',
  made_complaint: 'no',
  has_communal_areas: 'yes',
  communal_areas_clean: 'neither',
});
