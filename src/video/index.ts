// Public API of the video tools (docs/video.md).
export * from './ffmpeg.js';
export * from './probe.js';
export * from './sniff.js';
export * from './encode.js';
export * from './stream.js';
export * from './pipeline.js';
export * from './regions.js';
export * from './temporal.js';
export * from './frame-ops.js';
export { videoFields, videoSchema, runVideos, type VideoOptions } from './options.js';
export { videoRestoreJob, type VideoRestoreOptions, type RestoreStats } from './restore.js';
export { videoAddJob, videoAutoJob, type VideoAutoOptions } from './mosaic.js';
export { videoTranslateJob } from './translate.js';
