/**
 * realtime/state: the pure floor reducer (DESIGN §1). See reduce.ts for the contract.
 */
export { reduce, initialFloorState, localDayKey, DEFAULT_CONFIG } from './reduce';
export { snapshot } from './snapshot';
export type {
	CallFact,
	DirectoryAgent,
	FloorConfig,
	FloorEffect,
	FloorInput,
	FloorState,
	ReduceResult
} from './types';
