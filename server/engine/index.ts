// The engine's entry point: createTrainSession and the pieces tests and tools use.
export * from './api';
export { bucketed, createTrainSession, MAX_SESSIONS, prepareBatch, type EngineOptions, type EngineSession } from './session';
export { checkConfig, paramSpecs, SUPPORTED_ARCHS } from './model';
export { metricNames } from './losses';
export { checkProvider } from './providers';
