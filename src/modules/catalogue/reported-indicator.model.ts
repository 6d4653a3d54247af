import { Schema, model } from 'mongoose';

/** Reported indicators that the platform or a group's coordinator add beside the built-in set. */
const reportedIndicatorSchema = new Schema(
  {
    indicatorId: { type: String, required: true, unique: true },
    /** JSON of the definition ({@link ReportedIndicator}). */
    body: { type: String, required: true },
    /** The organisation whose coordinator added it; null for the platform. */
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, collection: 'reported_indicator_definitions' },
);

export const ReportedIndicatorModel = model('ReportedIndicator', reportedIndicatorSchema);
