// Refund, capture and void (DESIGN §3): the request side (receiveOperation, behind the routes)
// and the background side (processDueOperations, processPendingCloses) the worker loop calls.
//
// Request side: app/web/operation-action.server.ts → receive-operation.server.ts (request.ts validates).
// Background side: process-operations.server.ts (the batch loop) claims through
// operation-lease.server.ts and hands each operation to orchestrator.server.ts, which checks the
// rules (rules.ts), looks at the card (card-view.server.ts) and runs one strategy per case from
// strategies/ (simulated, already-done, capture, void, refund-before-capture, refund-after-capture;
// choose.ts picks). Those plan the DoAction calls (plan.ts), walk them (execute-plan.ts) and record
// the outcome through run.server.ts. pending-closes.server.ts closes paid card sales under
// close-lease.server.ts; card-state.ts, trade.server.ts, close-window.ts and types.ts are shared.
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
