import { ValidationError } from '../../errors';
import { SharedCache } from '../../shared-cache';
import { BUILT_IN_INDICATORS, type IndicatorDefinition } from './catalogue';
import { IndicatorDefinitionModel } from './indicator-definition.model';
import { refuseTakenIndicatorId, storeUnderClaim } from './indicator-ids';

/** Another process's addition shows up within this long; this process's at once. */
const CATALOGUE_TTL_MS = 5000;
const cached = new SharedCache<Map<string, IndicatorDefinition>>(1);

/**
 * The whole catalogue: built-in indicators first, then the platform's own. Readers that
 * arrive while it is being read share that one read.
 */
export function loadCatalogue(): Promise<Map<string, IndicatorDefinition>> {
  return cached.forMs('catalogue', CATALOGUE_TTL_MS, readCatalogue);
}

async function readCatalogue(): Promise<Map<string, IndicatorDefinition>> {
  const custom = await IndicatorDefinitionModel.find().sort({ indicatorId: 1 }).lean();
  const all = new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d]));
  for (const c of custom) all.set(c.indicatorId, JSON.parse(c.body) as IndicatorDefinition);
  return all;
}

/** Adds an indicator; the rules that make it usable are checked here, not by a schema. */
export async function addIndicator(def: Omit<IndicatorDefinition, 'builtIn'>): Promise<IndicatorDefinition> {
  await refuseTakenIndicatorId(def.id);
  const problems = [];
  const scale = def.scale.map(String);
  if (new Set(scale).size !== scale.length)
    problems.push({ path: '/scale', message: 'values must be unique' });
  def.positive.forEach((p, i) => {
    if (!scale.includes(String(p))) problems.push({ path: `/positive/${i}`, message: 'is not on the scale' });
  });
  def.excluded.forEach((e, i) => {
    if (scale.includes(String(e)))
      problems.push({ path: `/excluded/${i}`, message: 'an excluded answer cannot be on the scale' });
  });
  if (def.kind === 'nps') {
    const expected = Array.from({ length: 11 }, (_, i) => String(i)).sort();
    if (JSON.stringify([...scale].sort()) !== JSON.stringify(expected)) {
      problems.push({ path: '/scale', message: 'an nps indicator has the scale 0–10' });
    }
  }
  if (def.kind === 'mean' && def.scale.some((v) => typeof v !== 'number')) {
    problems.push({ path: '/scale', message: 'a mean indicator needs a numeric scale' });
  }
  if (problems.length) throw new ValidationError('the indicator definition is inconsistent', problems);
  const stored: IndicatorDefinition = { ...def, builtIn: false };
  await storeUnderClaim(def.id, () =>
    IndicatorDefinitionModel.create({ indicatorId: def.id, body: JSON.stringify(stored) }),
  );
  cached.delete('catalogue');
  return stored;
}
