export { analyzeFile, ANALYSIS_VERSION, ANALYSIS_SAMPLE_RATE, type AnalyzeOptions } from './analyze';
export { AnalysisError, type AnalysisErrorCode } from './errors';
export { EssentiaPool, sharedPool, closeSharedPool, type PoolOptions, type PoolStats } from './pool';
export {
  camelotOf,
  openKeyOf,
  compatibleCamelot,
  keyNames,
  keyOfCamelot,
  parseKey,
  parseCamelot,
  pitchClassOf,
  keyRelation,
  type KeyNames,
  type KeyRelation,
} from './notation';
export { compareTags, BPM_TOLERANCE, type FileTags } from './tags';
export { measureLoudness, parseEbur128Summary, type EbuR128 } from './loudness';
export { energyRating, ENERGY_WEIGHTS } from './energy';
export { DEFAULT_KEY_PROFILE } from './tonality';
export * from './types';
