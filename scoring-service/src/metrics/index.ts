export {
  auc,
  ascendingOrder,
  conversionByDecile,
  liftByDecile,
  topDecileLift,
  topDecileConversion,
  bottom20Conversion,
} from './classification';
export { poissonDeviance, weightedMape, r2, rmse } from './regression';
export { histogram, categoricalShares, psi, PSI_EPSILON } from './drift';
