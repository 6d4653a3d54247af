import { BUILT_IN_INDICATORS } from './catalogue';
import { IndicatorDefinitionModel } from './indicator-definition.model';
import { BUILT_IN_REPORTED } from './reported-indicators';
import { ReportedIndicatorModel } from './reported-indicator.model';

/**
 * Whether an indicator id is in use in either catalogue (survey indicators, reported ones): plans,
 * trends and benchmarks name an indicator by its id alone, so one id is one indicator.
 */
export async function indicatorIdTaken(id: string): Promise<boolean> {
  if (BUILT_IN_INDICATORS.some((b) => b.id === id) || BUILT_IN_REPORTED.some((b) => b.id === id)) return true;
  const [survey, reported] = await Promise.all([
    IndicatorDefinitionModel.exists({ indicatorId: id }),
    ReportedIndicatorModel.exists({ indicatorId: id }),
  ]);
  return !!survey || !!reported;
}
