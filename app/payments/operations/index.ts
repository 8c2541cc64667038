// Refund, capture and void (DESIGN §3): the request side (receiveOperation, behind the routes)
// and the background side (processDueOperations, processPendingCloses) the worker loop calls.
export { receiveOperation, notifyOperations, onOperationWork } from "./receive-operation.server";
export type { ReceiveOperationInput, ReceiveOperationError, ReceivedOperation } from "./receive-operation.server";
export { processDueOperations } from "./process-operations.server";
export type { OperationReport } from "./process-operations.server";
export { processPendingCloses } from "./pending-closes.server";
export type { CloseReport } from "./pending-closes.server";
export { checkOperationRules, capturedAmountOf } from "./rules";
export { planOperation } from "./plan";
export { doActionPausedUntil } from "./close-window";
export type { OperationType, CardState, EcpayLogEntry } from "./types";
