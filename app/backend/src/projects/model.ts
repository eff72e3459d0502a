import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const projectSchema = new Schema(
  {
    key: { type: String, required: true, uppercase: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    archived: { type: Boolean, default: false },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true },
);
projectSchema.index({ key: 1 }, { unique: true });
projectSchema.index({ archived: 1, name: 1 });

// Memberships live in their own collection (not an embedded array): FerretDB v1 has no
// arrayFilters and updating one element of an array would need read-modify-write.
const membershipSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  userId: { type: Schema.Types.ObjectId, required: true },
  role: { type: String, enum: ['owner', 'admin', 'member', 'viewer'], required: true },
  addedAt: { type: Date, default: () => new Date() },
});
membershipSchema.index({ projectId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ userId: 1 });

const stateSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  name: { type: String, required: true },
  category: {
    type: String,
    enum: ['backlog', 'unstarted', 'started', 'completed', 'cancelled'],
    required: true,
  },
  color: { type: String, default: '#94a3b8' },
  position: { type: Number, required: true },
});
stateSchema.index({ projectId: 1, position: 1 });

const labelSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  name: { type: String, required: true },
  color: { type: String, default: '#64748b' },
});
labelSchema.index({ projectId: 1, name: 1 }, { unique: true });

// Per-project task number sequence (findOneAndUpdate + $inc is atomic without transactions).
const counterSchema = new Schema({
  _id: { type: String, required: true },
  seq: { type: Number, default: 0 },
});

export type TProjectDoc = InferSchemaType<typeof projectSchema> & { _id: mongoose.Types.ObjectId };
export type TStateDoc = InferSchemaType<typeof stateSchema> & { _id: mongoose.Types.ObjectId };
export type TLabelDoc = InferSchemaType<typeof labelSchema> & { _id: mongoose.Types.ObjectId };

export const Project = mongoose.model('Project', projectSchema);
export const Membership = mongoose.model('Membership', membershipSchema);
export const State = mongoose.model('State', stateSchema);
export const Label = mongoose.model('Label', labelSchema);
export const Counter = mongoose.model('Counter', counterSchema);

export const PROJECT_ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type TProjectRole = (typeof PROJECT_ROLES)[number];
export const roleRank = (r: TProjectRole): number => PROJECT_ROLES.indexOf(r);

export const toProject = (p: TProjectDoc, role: TProjectRole) => ({
  id: String(p._id),
  key: p.key,
  name: p.name,
  description: p.description,
  archived: p.archived,
  role,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});
export const toState = (s: TStateDoc) => ({
  id: String(s._id),
  projectId: String(s.projectId),
  name: s.name,
  category: s.category,
  color: s.color,
  position: s.position,
});
export const toLabel = (l: TLabelDoc) => ({
  id: String(l._id),
  projectId: String(l.projectId),
  name: l.name,
  color: l.color,
});
