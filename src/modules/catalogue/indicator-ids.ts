import { Schema, model } from 'mongoose';
import { oneWriteAtATime } from '../../db/one-write';
import { isDuplicateKey } from '../../db/upsert';
import { ConflictError } from '../../errors';
import { BUILT_IN_INDICATORS } from './catalogue';
import { IndicatorDefinitionModel } from './indicator-definition.model';
import { BUILT_IN_REPORTED } from './reported-indicators';
import { ReportedIndicatorModel } from './reported-indicator.model';

/**
 * Whether an indicator id is in use in either catalogue (survey indicators, reported ones): plans,
 * trends and benchmarks name an indicator by its id alone, so one id is one indicator.
 */
async function indicatorIdTaken(id: string): Promise<boolean> {
  if (BUILT_IN_INDICATORS.some((b) => b.id === id) || BUILT_IN_REPORTED.some((b) => b.id === id)) return true;
  const [survey, reported] = await Promise.all([
    IndicatorDefinitionModel.exists({ indicatorId: id }),
    ReportedIndicatorModel.exists({ indicatorId: id }),
  ]);
  return !!survey || !!reported;
}

/**
 * One document per indicator id added to either catalogue, keyed by the id: of two additions of
 * one id at once (one to each catalogue, say), only the one whose insert comes first goes on.
 */
const indicatorIdSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'indicator_ids', versionKey: false },
);
const IndicatorIdClaim = model('IndicatorIdClaim', indicatorIdSchema);

/** A claim this old whose indicator was never stored is left from an addition that failed. */
const STALE_CLAIM_MS = 60_000;

function duplicate(id: string): ConflictError {
  return new ConflictError(`indicator ${id} exists`, 'DUPLICATE_INDICATOR', [
    { path: '/id', message: 'already defined' },
  ]);
}

/** 409 DUPLICATE_INDICATOR when the id is in either catalogue (before a definition is checked). */
export async function refuseTakenIndicatorId(id: string): Promise<void> {
  if (await indicatorIdTaken(id)) throw duplicate(id);
}

/**
 * Claims an indicator id found free by {@link refuseTakenIndicatorId} for an addition, else 409
 * DUPLICATE_INDICATOR (being added right now). Returns the release for an addition that does not
 * happen.
 */
async function claimIndicatorId(id: string): Promise<() => Promise<void>> {
  const at = new Date();
  try {
    await IndicatorIdClaim.create({ _id: id, at });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const held = await IndicatorIdClaim.findById(id).lean<{ at: Date }>();
    if (!held || Date.now() - held.at.getTime() < STALE_CLAIM_MS || (await indicatorIdTaken(id)))
      throw duplicate(id);
    const taken = await oneWriteAtATime(IndicatorIdClaim, id, () =>
      IndicatorIdClaim.updateOne({ _id: id, at: held.at }, { $set: { at } }),
    );
    if (taken.modifiedCount !== 1) throw duplicate(id);
  }
  return async () => {
    await oneWriteAtATime(IndicatorIdClaim, id, () => IndicatorIdClaim.deleteOne({ _id: id, at })).catch(
      () => undefined,
    );
  };
}

/**
 * Stores a new indicator under a claim on its id: `store` runs only if the claim is had, and a
 * failed store gives the claim back.
 */
export async function storeUnderClaim<T>(id: string, store: () => Promise<T>): Promise<T> {
  const release = await claimIndicatorId(id);
  try {
    return await store();
  } catch (err) {
    await release();
    if (isDuplicateKey(err)) throw duplicate(id);
    throw err;
  }
}
