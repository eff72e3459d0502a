// Board ordering: where a card lands when it is dragged or moved with the keyboard, and the
// optimistic re-ordering shown before the API answers. The API takes `{ stateId, index }`, where
// `index` is the 0-based position in the target column *after* the move; ranks are opaque
// strings that sort lexicographically (plain code-unit order, not locale order).

export interface BoardColumn {
  stateId: string;
  taskIds: string[];
}

export interface MoveTarget {
  stateId: string;
  /** Position in the target column after the move. */
  index: number;
}

/** Code-unit comparison of opaque ranks (`localeCompare` would reorder some characters). */
export function compareRank(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortByRank<T extends { rank: string }>(tasks: readonly T[]): T[] {
  return [...tasks].sort((x, y) => compareRank(x.rank, y.rank));
}

export function locate(
  columns: readonly BoardColumn[],
  taskId: string,
): { column: number; index: number } | null {
  for (let c = 0; c < columns.length; c++) {
    const index = columns[c]?.taskIds.indexOf(taskId) ?? -1;
    if (index !== -1) return { column: c, index };
  }
  return null;
}

/**
 * The final index for a card dropped into `toStateId` just before `beforeTaskId` (or at the end
 * when null). Dropping a card before itself, or before the card right after it, is a no-op in
 * the same column, which the caller can detect with `isNoop`.
 */
export function dropTarget(
  columns: readonly BoardColumn[],
  taskId: string,
  toStateId: string,
  beforeTaskId: string | null,
): MoveTarget | null {
  const target = columns.find((c) => c.stateId === toStateId);
  if (!target) return null;
  const remaining = target.taskIds.filter((id) => id !== taskId);
  if (beforeTaskId === null || beforeTaskId === taskId) {
    if (beforeTaskId === taskId) {
      // Dropped onto itself: keep its place.
      const here = target.taskIds.indexOf(taskId);
      if (here !== -1) return { stateId: toStateId, index: here };
    }
    return { stateId: toStateId, index: remaining.length };
  }
  const at = remaining.indexOf(beforeTaskId);
  return { stateId: toStateId, index: at === -1 ? remaining.length : at };
}

/** True when moving `taskId` to `target` would leave the board unchanged. */
export function isNoop(
  columns: readonly BoardColumn[],
  taskId: string,
  target: MoveTarget,
): boolean {
  const from = locate(columns, taskId);
  if (!from) return true;
  return columns[from.column]?.stateId === target.stateId && from.index === target.index;
}

/** Returns new columns with the card moved (inputs are not modified). Index is clamped. */
export function applyMove(
  columns: readonly BoardColumn[],
  taskId: string,
  target: MoveTarget,
): BoardColumn[] {
  const from = locate(columns, taskId);
  if (!from || !columns.some((c) => c.stateId === target.stateId)) {
    return columns.map((c) => ({ ...c, taskIds: [...c.taskIds] }));
  }
  const next = columns.map((c) => ({ ...c, taskIds: c.taskIds.filter((id) => id !== taskId) }));
  const to = next.find((c) => c.stateId === target.stateId);
  if (to) {
    const index = Math.max(0, Math.min(target.index, to.taskIds.length));
    to.taskIds.splice(index, 0, taskId);
  }
  return next;
}

export type Direction = 'up' | 'down' | 'left' | 'right' | 'top' | 'bottom';

/**
 * Keyboard move: up/down within the column, left/right to the neighbouring column (keeping the
 * row where possible), top/bottom of the column. Null when the card cannot move that way.
 */
export function keyboardTarget(
  columns: readonly BoardColumn[],
  taskId: string,
  direction: Direction,
): MoveTarget | null {
  const from = locate(columns, taskId);
  if (!from) return null;
  const column = columns[from.column];
  if (!column) return null;
  const last = column.taskIds.length - 1;
  switch (direction) {
    case 'up':
      return from.index > 0 ? { stateId: column.stateId, index: from.index - 1 } : null;
    case 'down':
      return from.index < last ? { stateId: column.stateId, index: from.index + 1 } : null;
    case 'top':
      return from.index > 0 ? { stateId: column.stateId, index: 0 } : null;
    case 'bottom':
      return from.index < last ? { stateId: column.stateId, index: last } : null;
    case 'left':
    case 'right': {
      const neighbour = columns[from.column + (direction === 'left' ? -1 : 1)];
      if (!neighbour) return null;
      return { stateId: neighbour.stateId, index: Math.min(from.index, neighbour.taskIds.length) };
    }
  }
}

/** Maps a key event to a move direction (Alt+arrows, Alt+Home/End), or null. */
export function directionForKey(key: string, altKey: boolean): Direction | null {
  if (!altKey) return null;
  const map: Record<string, Direction> = {
    ArrowUp: 'up',
    ArrowDown: 'down',
    ArrowLeft: 'left',
    ArrowRight: 'right',
    Home: 'top',
    End: 'bottom',
  };
  return map[key] ?? null;
}
