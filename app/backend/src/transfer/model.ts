import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// One uploaded import: the file (kept until it is applied, so the apply step re-reads exactly
// what was previewed), the options it was read with, and after the apply its result. Previews
// never applied are removed a day later (see service.ts).
const importSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  createdBy: { type: Schema.Types.ObjectId, required: true },
  format: { type: String, required: true },
  options: { type: Schema.Types.Mixed, default: {} },
  source: { type: String, default: null },
  size: { type: Number, required: true },
  status: {
    type: String,
    enum: ['previewed', 'applying', 'applied', 'failed'],
    default: 'previewed',
  },
  result: { type: Schema.Types.Mixed, default: null },
  error: { type: String, default: null },
  createdAt: { type: Date, default: () => new Date() },
  appliedAt: { type: Date, default: null },
});
importSchema.index({ projectId: 1, createdAt: -1 });

export type TImportDoc = InferSchemaType<typeof importSchema> & { _id: mongoose.Types.ObjectId };
export const ImportJob = mongoose.model('ImportJob', importSchema, 'imports');

/**
 * The apply step's claim, `_id` = the import id: a unique insert lets exactly one of two
 * concurrent applies (a double click, a retried request) run, on FerretDB v1 too, where an
 * update filtered on `status` is not isolated.
 */
const importClaimSchema = new Schema({ _id: String, at: { type: Date, required: true } });
export const ImportClaim = mongoose.model('ImportClaim', importClaimSchema, 'importclaims');
