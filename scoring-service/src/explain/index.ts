/** Explanations: exact TreeSHAP, the sampling fallback, and reasons a person can read. */
export { createTreeExplainer, type TreeExplainer, type TreeExplainerOptions } from './treeshap';
export { coversFromBackground } from './covers';
export {
  explainBySampling,
  seededRandom,
  type PredictMargin,
  type SamplingExplainerOptions,
  type SamplingExplanation,
} from './sampling';
export {
  createReasonBuilder,
  type Explanation,
  type ExplanationUnit,
  type Reason,
  type ReasonBuilder,
  type ReasonGroup,
  type ReasonOptions,
} from './reasons';
export { explainerForPackage, type BackgroundRows, type PackageExplainer } from './for-package';
export { formatNumber, phraseInput } from './phrasing';
