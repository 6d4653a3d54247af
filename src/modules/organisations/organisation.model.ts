import { Schema, Types, model, type InferSchemaType } from 'mongoose';

export const ORGANISATION_TYPES = [
  'city',
  'municipal_housing_company',
  'housing_association',
  'homeowner_association',
  'resource_centre',
] as const;

const organisationSchema = new Schema(
  {
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    country: { type: String, required: true },
    region: { type: String, default: '' },
    type: { type: String, enum: ORGANISATION_TYPES, required: true },
    /** Dwellings managed; the base of response rates and the finite population correction. */
    housingStock: { type: Number, default: null },
    languages: { type: [String], default: ['en'] },
    /** Months raw responses are kept after a period's newest answer; null keeps them (retention.service). */
    retentionMonths: { type: Number, default: null },
  },
  { timestamps: true, collection: 'organisations' },
);

export type OrganisationDoc = InferSchemaType<typeof organisationSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const Organisation = model('Organisation', organisationSchema);

/** What peer groups and benchmarks read of an organisation (copied into every published value). */
export function peerAttributes(org: OrganisationDoc) {
  return {
    slug: org.slug,
    name: org.name,
    country: org.country,
    region: org.region,
    type: org.type,
    housingStock: org.housingStock ?? null,
  };
}
