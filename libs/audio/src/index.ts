export * from './ffmpeg';
export * from './probe';
export * from './decode';
export * from './tool-process';
