import { ValidationError, type ErrorDetail } from '../../errors';
import { SharedCache } from '../../shared-cache';
import { BUILT_IN_REPORTED, type ReportedIndicator } from './reported-indicators';
import { ReportedIndicatorModel } from './reported-indicator.model';
import { refuseTakenIndicatorId, storeUnderClaim } from './indicator-ids';

const CATALOGUE_TTL_MS = 5000;
const cached = new SharedCache<Map<string, ReportedIndicator>>(1);

/** Built-in reported indicators first, then those added by the platform and coordinators. */
export function loadReportedCatalogue(): Promise<Map<string, ReportedIndicator>> {
  return cached.forMs('reported', CATALOGUE_TTL_MS, async () => {
    const all = new Map(BUILT_IN_REPORTED.map((d) => [d.id, d]));
    const custom = await ReportedIndicatorModel.find().sort({ indicatorId: 1 }).lean();
    for (const c of custom) all.set(c.indicatorId, JSON.parse(c.body) as ReportedIndicator);
    return all;
  });
}

/** Adds a reported indicator; its id must be new across both catalogues. */
export async function addReportedIndicator(
  def: Omit<ReportedIndicator, 'builtIn'>,
  createdBy: string | null,
): Promise<ReportedIndicator> {
  await refuseTakenIndicatorId(def.id);
  const problems: ErrorDetail[] = [];
  if (def.range.min > def.range.max) problems.push({ path: '/range', message: 'min is above max' });
  if (def.kind === 'rate' && (def.range.min < 0 || def.range.max > 1))
    problems.push({ path: '/range', message: 'a rate lies between 0 and 1' });
  if (def.kind !== 'value' && !def.denominator)
    problems.push({ path: '/denominator', message: `a ${def.kind} needs a denominator` });
  if (def.kind === 'value' && def.denominatorIsHomes)
    problems.push({ path: '/denominatorIsHomes', message: 'a plain value has no denominator' });
  const keys = def.parts.map((p) => p.key);
  if (new Set(keys).size !== keys.length)
    problems.push({ path: '/parts', message: 'part keys must be unique' });
  if (problems.length) throw new ValidationError('the indicator definition is inconsistent', problems);
  const stored: ReportedIndicator = { ...def, builtIn: false };
  await storeUnderClaim(def.id, () =>
    ReportedIndicatorModel.create({ indicatorId: def.id, body: JSON.stringify(stored), createdBy }),
  );
  cached.delete('reported');
  return stored;
}
