import { Schema, Types, model, type InferSchemaType } from 'mongoose';

/**
 * Statistics of one bucket (organisation × survey × period × segment) for one indicator,
 * replaced whole by every recompute of the bucket.
 */
const bucketStatSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    segment: { type: String, default: '' },
    indicatorId: { type: String, required: true },
    /** JSON of {counts, excluded, methods}. */
    stats: { type: String, required: true },
    /** Housing stock of the bucket's campaigns (their segment), when given. */
    population: { type: Number, default: null },
    computedAt: { type: Date, required: true },
  },
  { collection: 'indicator_bucket_stats' },
);
bucketStatSchema.index(
  { organisationId: 1, period: 1, surveyId: 1, segment: 1, indicatorId: 1 },
  { unique: true },
);

export type BucketStatDoc = InferSchemaType<typeof bucketStatSchema> & { _id: Types.ObjectId };
export const BucketStat = model('BucketStat', bucketStatSchema);

/**
 * A published-ready indicator value of one organisation, period and segment (`*` is the
 * whole organisation). Organisation attributes are copied in so that a benchmark is one
 * indexed read, whatever the number of responses behind it.
 */
const indicatorValueSchema = new Schema(
  {
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
    segment: { type: String, required: true },
    n: { type: Number, required: true },
    excluded: { type: Number, required: true },
    value: { type: Number, default: null },
    low: { type: Number, default: null },
    high: { type: Number, default: null },
    responseRate: { type: Number, default: null },
    population: { type: Number, default: null },
    /** JSON of answer value → count. */
    distribution: { type: String, required: true },
    minN: { type: Number, required: true },
    suppressed: { type: String, enum: ['primary', 'secondary', null], default: null },
    methods: { type: [String], default: [] },
    computedAt: { type: Date, required: true },
  },
  { collection: 'indicator_values' },
);
indicatorValueSchema.index({ organisationId: 1, indicatorId: 1, period: 1, segment: 1 }, { unique: true });
indicatorValueSchema.index({ indicatorId: 1, period: 1, segment: 1 });

export type IndicatorValueDoc = InferSchemaType<typeof indicatorValueSchema> & { _id: Types.ObjectId };
export const IndicatorValue = model('IndicatorValue', indicatorValueSchema);
