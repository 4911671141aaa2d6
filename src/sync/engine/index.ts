export { runSync, type RunSyncOptions } from './run-sync.js';
export type { SyncSettings } from './settings.js';
export { syncWindow } from './settings.js';
export type { SyncReport, SyncAction, SyncActionKind, SyncItemError } from './report.js';
export type {
  PlanningSide,
  PlanningTask,
  PlanningRights,
  DeletedTask,
  OwnWrites,
  TaskUpdate,
} from './planning-side.js';
export { MemoryPlanning } from './planning-side.js';
export type { SyncStateStore, SyncPair, SyncIntent, RunMark } from './state-store.js';
export { MemorySyncStateStore } from './state-store.js';
export { decide, type GridInput, type GridDecision, type GridAction } from './decide.js';
export {
  SqlSyncStateStore,
  createSyncItemsTable,
  type SyncStateDatabase,
  type SyncItemsTable,
  type SyncAccountsCursorColumns,
} from './sql-state-store.js';
