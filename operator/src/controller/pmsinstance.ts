// The PmsInstance controller as the runtime sees it (registered by startOperator).
import { API_VERSION, KIND, PLURAL } from '../api/spec.ts';
import { OPTIONAL_OWNED_KINDS, OWNED_KINDS } from './owned.ts';
import { makeReconciler } from './reconcile.ts';
import type { ControllerDefinition } from './types.ts';

export const pmsInstanceController: ControllerDefinition = {
  name: 'pmsinstance',
  primary: { apiVersion: API_VERSION, kind: KIND, plural: PLURAL, namespaced: true },
  owned: OWNED_KINDS,
  optionalOwned: OPTIONAL_OWNED_KINDS,
  reconcile: makeReconciler(),
};
