import { Schema, model, type InferSchemaType } from 'mongoose';
import { upsertRetrying } from '../../db/upsert';

/*
 * Derived documents carry their key as _id. Every write then addresses one document by _id,
 * which any MongoDB-compatible server finds without a scan (FerretDB's SQLite backend does
 * not use secondary indexes for such filters, so a compound-key upsert would read the whole
 * collection each time).
 */

/** _id of an organisation's published value. */
export function indicatorValueId(
  organisationId: string,
  indicatorId: string,
  period: string,
  segment: string,
): string {
  return [organisationId, indicatorId, period, segment].join('|');
}

/**
 * A published-ready indicator value of one organisation, period and segment (`*` is the
 * whole organisation). Organisation attributes are copied in so that a benchmark is one
 * indexed read, whatever the number of responses behind it.
 */
const indicatorValueSchema = new Schema(
  {
    /** Derived from the key ({@link indicatorValueId}). */
    _id: { type: String },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    organisation: {
      slug: String,
      name: String,
      country: String,
      region: String,
      type: { type: String },
      housingStock: { type: Number, default: null },
    },
    indicatorId: { type: String, required: true },
    kind: { type: String, required: true },
    period: { type: String, required: true },
    /** `*` for the whole organisation, '' for answers of campaigns without a segment. */
    segment: { type: String, default: '' },
    n: { type: Number, required: true },
    excluded: { type: Number, required: true },
    value: { type: Number, default: null },
    low: { type: Number, default: null },
    high: { type: Number, default: null },
    /** Survey responses in the cell. */
    responses: { type: Number, default: null },
    /** Survey responses over the housing stock. */
    responseRate: { type: Number, default: null },
    /** The indicator's base (n) over the housing stock. */
    baseRate: { type: Number, default: null },
    /** Housing stock used for the finite population correction. */
    population: { type: Number, default: null },
    /** A housing stock was given but was smaller than the responses, so it was not used. */
    populationIgnored: { type: Boolean, default: false },
    /** JSON of answer value → count. */
    distribution: { type: String, required: true },
    /** The base (n) per collection mode: online, paper, telephone, face-to-face. */
    nByMode: { type: Schema.Types.Mixed, default: {} },
    /**
     * The value weighted to the organisation's population margins for the period, beside the
     * unweighted one above (see weighting/weighted-publication.ts); null without margins.
     */
    weighted: { type: Schema.Types.Mixed, default: null },
    minN: { type: Number, required: true },
    suppressed: { type: String, enum: ['primary', 'secondary', null], default: null },
    methods: { type: [String], default: [] },
    computedAt: { type: Date, required: true },
  },
  { collection: 'indicator_values' },
);
indicatorValueSchema.index({ organisationId: 1, indicatorId: 1, period: 1, segment: 1 }, { unique: true });
indicatorValueSchema.index({ indicatorId: 1, period: 1, segment: 1 });

export type IndicatorValueDoc = InferSchemaType<typeof indicatorValueSchema>;
export const IndicatorValue = model('IndicatorValue', indicatorValueSchema);

/**
 * Small state documents of aggregation: `values` (`changedAt`: when published values last
 * changed, which lets readers cache them without ever serving stale numbers) and `methods`
 * (`version`: how the method hashes of the stored values were made, see METHOD_HASH_VERSION).
 */
const aggregationStateSchema = new Schema(
  { _id: { type: String, required: true }, changedAt: { type: Date }, version: { type: Number } },
  { collection: 'aggregation_state' },
);

export const AggregationState = model('AggregationState', aggregationStateSchema);

/** Records that published values changed (readers drop their caches). */
export async function markValuesChanged(): Promise<void> {
  await upsertRetrying(() =>
    AggregationState.updateOne({ _id: 'values' }, { $set: { changedAt: new Date() } }, { upsert: true }),
  );
}

/** Readers look up the change stamp at most this often; one lookup serves every request meanwhile. */
export const STAMP_TTL_MS = 200;
let stamp: { at: number; value: Promise<number>; refreshing: boolean } | null = null;

function lookUpStamp(): Promise<number> {
  return AggregationState.findById('values', { changedAt: 1 })
    .lean()
    .then((doc) => (doc?.changedAt ? doc.changedAt.getTime() : 0));
}

/**
 * When published values last changed (0 before any aggregation). Looked up at most every
 * {@link STAMP_TTL_MS}, in the background once known: under load a benchmark read never waits
 * for a database round trip, and new numbers show within that time plus one lookup.
 */
export function valuesChangedAt(): Promise<number> {
  const now = Date.now();
  if (!stamp) {
    const value = lookUpStamp();
    stamp = { at: now, value, refreshing: false };
    value.catch(() => {
      stamp = null;
    });
  } else if (now - stamp.at > STAMP_TTL_MS && !stamp.refreshing) {
    const current = stamp;
    current.refreshing = true;
    lookUpStamp().then(
      (value) => {
        if (stamp === current) stamp = { at: Date.now(), value: Promise.resolve(value), refreshing: false };
      },
      () => {
        // Keep serving the last known stamp; the next read tries again.
        current.refreshing = false;
      },
    );
  }
  return stamp.value;
}
