// The search index: one entry per task, `_id` = the task's id. `terms` holds the prefixes of
// every word of the task's title, description and comments (see text.ts), so that a query is an
// indexed equality match on an array (`$all` / `$in`), which MongoDB and FerretDB v1 both run
// (FerretDB v1 has no text indexes). Ranking happens in the app over a bounded candidate set.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** Bump when the term scheme changes: entries of an older version are rebuilt by the sync. */
export const INDEX_VERSION = 1;

const searchEntrySchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    terms: { type: [String], default: [] },
    /** Latest change of the task or its comments: the candidate order when over the cap. */
    at: { type: Date, required: true },
    /** The task's updatedAt when indexed: the sync compares it to find missed writes. */
    taskUpdatedAt: { type: Date, required: true },
    v: { type: Number, required: true },
  },
  { versionKey: false },
);
// Multikey: one index key per term. The query's first term bounds the scan; projectId filters.
searchEntrySchema.index({ terms: 1, projectId: 1 });
searchEntrySchema.index({ projectId: 1, taskUpdatedAt: -1 });

export type TSearchEntryDoc = InferSchemaType<typeof searchEntrySchema>;
export const SearchEntry = mongoose.model('SearchEntry', searchEntrySchema, 'searchentries');
