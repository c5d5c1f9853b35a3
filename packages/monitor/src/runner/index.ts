export {
  BatchWriter,
  type BatchWriterOptions,
  type BatchWriterStats,
  type DropReason,
  type WriteFailure,
} from './batch-writer.js';
export {
  type CheckVerdict,
  type IncidentStatus,
  nextState,
  type StateStep,
  type StateTransition,
  type Verdict,
} from './state-machine.js';
