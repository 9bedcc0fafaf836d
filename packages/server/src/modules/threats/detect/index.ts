export {
  DETECTOR_CATALOG,
  defaultThreatSettings,
  FIXED_DETECTORS,
  LOCK_SCOPE_BY_DETECTOR,
  resolveThreatSettings,
  thresholdProblems,
} from './catalog';
export { createDetectorEngine } from './engine';
export {
  createDetectionState,
  type DetectionState,
  MemoryDetectionState,
  RedisDetectionState,
  type WindowOp,
} from './state';
