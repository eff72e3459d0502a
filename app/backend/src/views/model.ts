// Saved views: a named task filter + sort + layout, owned by one user in one project; `shared`
// makes it visible to every member of the project (editable by its owner and project admins).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const LAYOUTS = ['board', 'list'] as const;
export type TLayout = (typeof LAYOUTS)[number];

const savedViewSchema = new Schema(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    ownerName: { type: String, default: '' },
    name: { type: String, required: true },
    /** The task list's filter parameters (validated by ZTaskFilterQuery), lists as arrays. */
    filters: { type: Schema.Types.Mixed, default: {} },
    sort: { type: String, required: true },
    layout: { type: String, enum: LAYOUTS, required: true },
    shared: { type: Boolean, default: false },
  },
  { timestamps: true, minimize: false },
);
// A name is unique per owner and project; listing reads by project (own + shared).
savedViewSchema.index({ projectId: 1, ownerId: 1, name: 1 }, { unique: true });
savedViewSchema.index({ projectId: 1, shared: 1 });

export type TSavedViewDoc = InferSchemaType<typeof savedViewSchema> & {
  _id: mongoose.Types.ObjectId;
};
export const SavedView = mongoose.model('SavedView', savedViewSchema, 'savedviews');

export type TViewFilters = Record<string, string | string[]>;

export const toView = (v: TSavedViewDoc, canEdit: boolean) => ({
  id: String(v._id),
  projectId: String(v.projectId),
  ownerId: String(v.ownerId),
  ownerName: v.ownerName,
  name: v.name,
  filters: (v.filters ?? {}) as TViewFilters,
  sort: v.sort,
  layout: v.layout as TLayout,
  shared: v.shared,
  canEdit,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
});
export type TView = ReturnType<typeof toView>;
