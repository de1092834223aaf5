// Job runners: the library's file jobs queued in this process or on Redis (BullMQ) for workers anywhere.
export * from './types.js';
export { isTransient, TRANSIENT_CODES } from './errors.js';
export { fileJobHandler, fileJobHandlers, prepareFileJob, removeLeftovers, isFileJobKind } from './file-jobs.js';
export { splitFileJob, submitSplit, type JobSpec } from './split.js';
export { InProcessJobRunner, type InProcessOptions } from './in-process.js';
export { BullJobRunner, runWorker, DEFAULT_QUEUE, type BullRunnerOptions, type WorkerOptions, type RunningWorker, type QueuedJobData } from './bullmq.js';
export { worker, workerSchema, submit, submitSchema, report, reportSchema, type WorkerJobOptions, type SubmitOptions, type SubmitResult, type BatchProgress, type FailedJob, type ReportOptions, type QueueReport } from './job.js';
