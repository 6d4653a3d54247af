import { Schema, model, type InferSchemaType } from 'mongoose';

/** Indicators the platform adds beside the built-in catalogue. */
const indicatorDefinitionSchema = new Schema(
  {
    indicatorId: { type: String, required: true, unique: true },
    /** JSON of the definition (title, kind, scale, positive, excluded, minN). */
    body: { type: String, required: true },
  },
  { timestamps: true, collection: 'indicator_definitions' },
);

export type IndicatorDefinitionDoc = InferSchemaType<typeof indicatorDefinitionSchema>;
export const IndicatorDefinitionModel = model('IndicatorDefinition', indicatorDefinitionSchema);
