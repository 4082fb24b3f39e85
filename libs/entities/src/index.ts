export {
  scheduleRequests,
  type EntityRequest,
  type EntityStep,
  type LockRequest,
  type LockState,
  type OperationRequest,
  type UnlockRequest,
} from './scheduler';
