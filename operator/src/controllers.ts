// The controllers startOperator runs by default, listed here once. A new controller is added to
// this list; the runtime itself (src/runtime, src/operator.ts) knows none of them.
import { pmsBackupController } from './controller/backup.ts';
import { pmsInstanceController } from './controller/pmsinstance.ts';
import { pmsRestoreController } from './controller/restore.ts';
import type { ControllerDefinition } from './controller/types.ts';

export const DEFAULT_CONTROLLERS: readonly ControllerDefinition[] = [
  pmsInstanceController,
  pmsBackupController,
  pmsRestoreController,
];
